package dev.t2i.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class DecodeBoundedTest {
    /** A real 2x2 PNG whose header is rewritten to declare {@code w}×{@code h} (CRC fixed). */
    static byte[] pngDeclaring(int w, int h) {
        byte[] png = Images.pngBytes(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB));
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, w).putInt(20, h);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        return png;
    }

    @Test
    void aHugeDeclaredSizeIsRefusedBeforeDecoding() throws Exception {
        BufferedImage small = Images.decodeBounded(pngDeclaring(2, 2));
        assertEquals(2, small.getWidth());
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> Images.decodeBounded(pngDeclaring(25000, 25000)));
        assertTrue(e.getMessage().contains("declares 25000x25000 pixels"), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 2, "refused at once");
        var api = assertThrows(IllegalArgumentException.class,
                () -> dev.t2i.api.InitImages.decode(pngDeclaring(25000, 25000)));
        assertTrue(api.getMessage().contains("25000x25000"), api.getMessage());
    }
}
