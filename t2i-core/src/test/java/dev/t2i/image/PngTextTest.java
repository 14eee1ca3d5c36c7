package dev.t2i.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngTextTest {
    @Test
    void textChunksRoundTripAndLeaveThePixelsAlone() throws Exception {
        BufferedImage image = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 2, 0x123456);
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put("parameters", "a red circle\nSteps: 20, Seed: 1");
        texts.put("t2i", "{\"prompt\":\"赤い円\"}");
        byte[] png = PngText.encode(image, texts);
        assertEquals(texts, PngText.read(png));
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(0x123456, back.getRGB(1, 2) & 0xFFFFFF);
        assertArrayEquals(png, PngText.encode(image, texts), "deterministic bytes");
        assertTrue(PngText.read(Images.pngBytes(image)).isEmpty());
        // the Latin-1 chunk is a plain tEXt chunk that any PNG reader lists
        assertTrue(new String(png, java.nio.charset.StandardCharsets.ISO_8859_1).contains("tEXtparameters\0a red"));
    }

    @Test
    void encodesWhileTheJvmShutsDown() throws Exception {
        // a draining server answers its last requests from a shutdown hook; ImageIO's file cache
        // registers a hook of its own on first use, which throws once shutdown has begun
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EncodeAtShutdown.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), out);
        assertTrue(out.contains("encoded at shutdown"), out);
    }

    /** Encodes two PNGs, both ways the project does, from a shutdown hook. */
    public static final class EncodeAtShutdown {
        public static void main(String[] args) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
                int a = PngText.encode(img, Map.of("prompt", "a red circle")).length;
                int b = Images.pngBytes(img).length;
                System.out.println("encoded at shutdown: " + a + " and " + b + " bytes");
            }));
        }
    }
}
