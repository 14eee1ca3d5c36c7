package dev.t2i.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImagesTest {
    @Test
    void convertsLevelsBothWays() {
        assertEquals(-1f, Images.toUnit(0));
        assertEquals(1f, Images.toUnit(255));
        for (int v = 0; v < 256; v++) {
            assertEquals(v, Images.toLevel(Images.toUnit(v)));
        }
        assertEquals(0, Images.toLevel(-3f));
        assertEquals(255, Images.toLevel(1.5f));
        assertEquals(0, Images.toLevel(Float.NaN));
        assertEquals(128, Images.toLevel(0.0f), "0 is level 127.5, rounded up");
    }

    @Test
    void tensorToImagesClampsAndRoundsInChwOrder() {
        INDArray x = Nd4j.zeros(2, 3, 2, 3);
        x.putScalar(new int[] {0, 0, 0, 0}, 1.0); // red, top-left
        x.putScalar(new int[] {0, 1, 1, 2}, -2.0); // green, bottom-right, clamped
        x.putScalar(new int[] {1, 2, 0, 1}, 7.0); // blue, clamped
        List<BufferedImage> images = Images.toBufferedImages(x);
        assertEquals(2, images.size());
        assertEquals(3, images.get(0).getWidth());
        assertEquals(2, images.get(0).getHeight());
        assertEquals(0xFF8080, images.get(0).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x800080, images.get(0).getRGB(2, 1) & 0xFFFFFF);
        assertEquals(0x8080FF, images.get(1).getRGB(1, 0) & 0xFFFFFF);

        INDArray back = Images.toTensor(images);
        assertArrayEquals(new long[] {2, 3, 2, 3}, back.shape());
        assertEquals(1.0f, back.getFloat(0, 0, 0, 0), 0f);
        assertEquals(-1.0f, back.getFloat(0, 1, 1, 2), 0f);
        assertEquals(128 / 127.5f - 1f, back.getFloat(1, 0, 0, 0), 1e-7f);
    }

    @Test
    void pngBytesDecodeToTheSamePixels() throws IOException {
        byte[] chw = new byte[3 * 4 * 5];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (byte) (i * 17);
        }
        BufferedImage image = Images.fromChwBytes(chw, 0, 4, 5);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Images.pngBytes(image)));
        assertArrayEquals(chw, Images.toChwBytes(decoded));
    }

    @Test
    void upscalesWithNearestNeighbour() {
        byte[] chw = new byte[3 * 2 * 2];
        chw[0] = (byte) 200; // red at (0, 0)
        BufferedImage big = Images.upscale(Images.fromChwBytes(chw, 0, 2, 2), 3);
        assertEquals(6, big.getWidth());
        assertEquals(200, (big.getRGB(2, 2) >> 16) & 0xFF);
        assertEquals(0, (big.getRGB(3, 2) >> 16) & 0xFF);
    }
}
