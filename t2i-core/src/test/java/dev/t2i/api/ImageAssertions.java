package dev.t2i.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;

/** Pixel-exact comparison of generated images. */
public final class ImageAssertions {
    private ImageAssertions() {
    }

    /** Same size and the same RGB value at every pixel. */
    public static void assertSamePixels(BufferedImage expected, BufferedImage actual, String what) {
        assertEquals(expected.getWidth(), actual.getWidth(), what + ": width");
        assertEquals(expected.getHeight(), actual.getHeight(), what + ": height");
        int w = expected.getWidth();
        int h = expected.getHeight();
        int[] a = expected.getRGB(0, 0, w, h, null, 0, w);
        int[] b = actual.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & 0xFFFFFF) != (b[i] & 0xFFFFFF)) {
                fail(what + ": pixel (" + i % w + ", " + i / w + ") is " + Integer.toHexString(b[i] & 0xFFFFFF)
                        + ", expected " + Integer.toHexString(a[i] & 0xFFFFFF));
            }
        }
    }

    /** Whether any pixel differs. */
    public static boolean differ(BufferedImage a, BufferedImage b) {
        int w = a.getWidth();
        int h = a.getHeight();
        int[] x = a.getRGB(0, 0, w, h, null, 0, w);
        int[] y = b.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < x.length; i++) {
            if ((x[i] & 0xFFFFFF) != (y[i] & 0xFFFFFF)) {
                return true;
            }
        }
        return false;
    }
}
