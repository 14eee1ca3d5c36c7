package dev.t2i.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Reproducible epoch permutations and step streams, for exact resume. */
class EpochShufflerTest {
    @Test
    void permutesEveryIndexOnce() {
        int[] p = new EpochShuffler(1).permutation(0, 1000);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void dependsOnlyOnSeedAndEpoch() {
        assertArrayEquals(new EpochShuffler(7).permutation(3, 500), new EpochShuffler(7).permutation(3, 500));
        assertFalse(Arrays.equals(new EpochShuffler(7).permutation(3, 500), new EpochShuffler(7).permutation(4, 500)));
        assertFalse(Arrays.equals(new EpochShuffler(7).permutation(3, 500), new EpochShuffler(8).permutation(3, 500)));
        assertEquals(new EpochShuffler(7).random(2, 10).nextLong(), new EpochShuffler(7).random(2, 10).nextLong());
        assertFalse(new EpochShuffler(7).random(2, 10).nextLong() == new EpochShuffler(7).random(2, 11).nextLong());
        assertFalse(new EpochShuffler(7).random(2, 10).nextLong() == new EpochShuffler(7).random(3, 10).nextLong());
    }

    @Test
    void cutsBatchesWithAndWithoutTheLastPartialOne() {
        EpochShuffler shuffler = new EpochShuffler(0);
        int[][] dropped = shuffler.batches(0, 10, 4, true);
        assertEquals(2, dropped.length);
        assertEquals(2, EpochShuffler.stepsPerEpoch(10, 4, true));
        int[][] kept = shuffler.batches(0, 10, 4, false);
        assertEquals(3, kept.length);
        assertEquals(2, kept[2].length);
        assertArrayEquals(shuffler.permutation(0, 10), Arrays.stream(kept).flatMapToInt(Arrays::stream).toArray());
        assertEquals(781, EpochShuffler.stepsPerEpoch(50_000, 64, true));
    }
}
