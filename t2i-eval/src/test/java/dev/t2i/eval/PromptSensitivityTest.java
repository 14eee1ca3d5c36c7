package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class PromptSensitivityTest {
    /** Images [classes × seeds, 3, 4, 4]: pixel = seedWeight × noise(seed) + classWeight × noise'(class). */
    static INDArray images(int classes, int seeds, double seedWeight, double classWeight) {
        int per = 3 * 4 * 4;
        float[][] seedPattern = new float[seeds][per];
        float[][] classPattern = new float[classes][per];
        SplittableRandom rng = new SplittableRandom(1);
        for (float[] p : seedPattern) {
            for (int i = 0; i < per; i++) {
                p[i] = (float) rng.nextDouble(-1, 1);
            }
        }
        for (float[] p : classPattern) {
            for (int i = 0; i < per; i++) {
                p[i] = (float) rng.nextDouble(-1, 1);
            }
        }
        float[] x = new float[classes * seeds * per];
        for (int c = 0; c < classes; c++) {
            for (int s = 0; s < seeds; s++) {
                for (int i = 0; i < per; i++) {
                    x[(c * seeds + s) * per + i] = (float) (seedWeight * seedPattern[s][i] + classWeight * classPattern[c][i]);
                }
            }
        }
        return Nd4j.create(x, new long[] {(long) classes * seeds, 3, 4, 4}, 'c');
    }

    @Test
    void aModelThatIgnoresThePromptScoresZero() {
        PromptSensitivity.Table t = PromptSensitivity.of(List.of("a", "b", "c"), images(3, 5, 1, 0), 5);
        assertEquals(0, t.meanOffDiagonal(), 1e-12);
        assertTrue(t.spread()[0] > 0.3, "seed spread " + t.spread()[0]);
    }

    @Test
    void aModelThatIgnoresTheSeedIsInfinitelySensitive() {
        PromptSensitivity.Table t = PromptSensitivity.of(List.of("a", "b"), images(2, 4, 0, 1), 4);
        assertTrue(Double.isNaN(t.table()[0][1]), "no seed spread: the share is undefined");
    }

    @Test
    void classAndSeedChangesOfEqualSizeScoreAboutOne() {
        // the class and the seed patterns are draws of the same noise: changing either moves pixels alike
        PromptSensitivity.Table t = PromptSensitivity.of(List.of("a", "b", "c", "d"), images(4, 40, 1, 1), 40);
        assertEquals(1, t.meanOffDiagonal(), 0.25, t.format());
        assertEquals(t.table()[1][2], t.table()[2][1]);
        assertEquals(0, t.table()[3][3]);
        // a weaker class signal scores lower
        assertTrue(PromptSensitivity.of(List.of("a", "b", "c", "d"), images(4, 40, 1, 0.3), 40).meanOffDiagonal()
                < 0.6 * t.meanOffDiagonal());
    }

    @Test
    void exactValueOnTwoPixels() {
        // classes a, b; seeds 0, 1; one-pixel images: a = {0, 2}, b = {1, 5}
        INDArray x = Nd4j.create(new float[] {0, 2, 1, 5}, new long[] {4, 1, 1, 1}, 'c');
        PromptSensitivity.Table t = PromptSensitivity.of(List.of("a", "b"), x, 2);
        // between classes, same seed: |0-1| = 1, |2-5| = 3, mean 2; spreads: a 2, b 4, mean 3
        assertEquals(2.0 / 3, t.table()[0][1], 1e-12);
        assertTrue(t.format().contains("0.67"), t.format());
    }

    @Test
    void theLeastSensitivePairIsTheSmallestEntry() {
        // a = {0, 2}, b = {1, 5}, c draws what a draws: a/c 0, a/b and b/c 2/3
        INDArray x = Nd4j.create(new float[] {0, 2, 1, 5, 0, 2}, new long[] {6, 1, 1, 1}, 'c');
        PromptSensitivity.Table t = PromptSensitivity.of(List.of("a", "b", "c"), x, 2);
        assertEquals(0.0, t.minOffDiagonal(), 1e-12);
        assertEquals("a/c", t.weakestPair());
        assertEquals(4.0 / 9, t.meanOffDiagonal(), 1e-12);
        assertEquals(1, t.pairsBelow(0.5));
        assertEquals(3, t.pairsBelow(0.7));
    }

    @Test
    void classesThatDrawOnePictureForEverySeedHaveNoWeakestPair() {
        // a and b: the same value for both seeds, so no spread and no figure; c varies
        INDArray flat = Nd4j.create(new float[] {1, 1, 3, 3}, new long[] {4, 1, 1, 1}, 'c');
        PromptSensitivity.Table none = PromptSensitivity.of(List.of("a", "b"), flat, 2);
        assertTrue(Double.isNaN(none.minOffDiagonal()));
        assertEquals(null, none.weakestPair());
        assertEquals(0, none.pairsBelow(0.5));
        INDArray mixed = Nd4j.create(new float[] {1, 1, 3, 3, 0, 4}, new long[] {6, 1, 1, 1}, 'c');
        PromptSensitivity.Table t = PromptSensitivity.of(List.of("a", "b", "c"), mixed, 2);
        // a/c: |1-0| and |1-4|, mean 2, over (0 + 4) / 2: 1.0; b/c: (3 + 1) / 2 / 2 = 1.0; a/b NaN
        assertEquals("a/c", t.weakestPair());
        assertEquals(1.0, t.minOffDiagonal(), 1e-12);
    }

    @Test
    void refusesAMismatchedCount() {
        assertThrows(T2iException.class, () -> PromptSensitivity.of(List.of("a", "b"), images(2, 3, 1, 1), 4));
        assertThrows(T2iException.class, () -> PromptSensitivity.of(List.of("a", "b"), images(2, 1, 1, 1), 1));
    }
}
