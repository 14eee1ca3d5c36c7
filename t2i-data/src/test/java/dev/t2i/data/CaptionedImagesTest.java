package dev.t2i.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Batches: [-1, 1] scaling, CHW order, flips, captions and labels. */
class CaptionedImagesTest {
    /** Three 2×3 images; pixel values encode image, channel and position. */
    private static CaptionedImages threeImages() {
        int per = 3 * 2 * 3;
        byte[] pixels = new byte[3 * per];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 5);
        }
        pixels[0] = 0;
        pixels[1] = (byte) 255;
        return new CaptionedImages("test", 2, 3, pixels, List.of("zero", "one", "two"), new int[] {1, 0, 1},
                List.of("a", "b"), List.of());
    }

    @Test
    void scalesBytesToMinusOneToOne() {
        CaptionedImages data = threeImages();
        Batch batch = data.batch(new int[] {0});
        INDArray x = batch.images();
        assertArrayEquals(new long[] {1, 3, 2, 3}, x.shape());
        assertEquals(-1.0f, x.getFloat(0, 0, 0, 0), 0f);
        assertEquals(1.0f, x.getFloat(0, 0, 0, 1), 0f);
        // byte 10 at channel 0, row 0, column 2 → 10 / 127.5 - 1
        assertEquals(10 / 127.5f - 1f, x.getFloat(0, 0, 0, 2), 1e-7f);
        // channel 1 starts after one 2×3 plane: byte index 6 → value 30
        assertEquals(30 / 127.5f - 1f, x.getFloat(0, 1, 0, 0), 1e-7f);
    }

    @Test
    void returnsCaptionsAndLabelsInBatchOrder() {
        Batch batch = threeImages().batch(new int[] {2, 0});
        assertEquals(List.of("two", "zero"), batch.captions());
        assertArrayEquals(new int[] {1, 1}, batch.labels());
        assertArrayEquals(new int[] {2, 0}, batch.indices());
        // image 2 starts at byte 36: value (36 * 5) & 0xFF = 180
        assertEquals(180 / 127.5f - 1f, batch.images().getFloat(0, 0, 0, 0), 1e-7f);
    }

    @Test
    void flipsMirrorEachRowAsTheRandomSays() {
        CaptionedImages data = threeImages();
        int[] all = {0, 1, 2, 0, 1, 2, 0, 1};
        Batch plain = data.batch(all);
        Batch flipped = data.batch(all, new Random(42));
        Random replay = new Random(42);
        int flips = 0;
        for (int b = 0; b < all.length; b++) {
            boolean expected = replay.nextBoolean();
            assertEquals(expected, flipped.flipped()[b]);
            flips += expected ? 1 : 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 3; x++) {
                        int source = expected ? 2 - x : x;
                        assertEquals(plain.images().getFloat(b, c, y, source), flipped.images().getFloat(b, c, y, x), 0f);
                    }
                }
            }
        }
        assertEquals(true, flips > 0 && flips < all.length, "seed 42 gives a mix of flips");
        assertArrayEquals(flipped.images().data().asFloat(), data.batch(all, new Random(42)).images().data().asFloat(),
                "same seed, same batch");
    }

    @Test
    void subsetsKeepPixelsCaptionsAndLabels() {
        CaptionedImages data = threeImages();
        CaptionedImages sub = data.subset(new int[] {2, 1});
        assertEquals(2, sub.size());
        assertEquals(List.of("two", "one"), sub.captions());
        assertEquals(0, sub.label(1));
        assertArrayEquals(data.pixels(2), sub.pixels(0));
        assertEquals(data.image(1).getRGB(2, 1), sub.image(1).getRGB(2, 1));
    }

    @Test
    void checksItsArguments() {
        assertThrows(IllegalArgumentException.class,
                () -> new CaptionedImages("x", 2, 2, new byte[11], List.of("a"), null, List.of(), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new CaptionedImages("x", 2, 2, new byte[12], List.of("a"), new int[] {3}, List.of("c"), List.of()));
        assertThrows(IndexOutOfBoundsException.class, () -> threeImages().batch(new int[] {3}));
    }
}
