package dev.t2i.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SubsetsTest {
    @Test
    void choosesDistinctIndicesUniformlyFromTheStream() {
        int[] counts = new int[10];
        SplittableRandom rng = new SplittableRandom(1);
        for (int round = 0; round < 2000; round++) {
            int[] s = Subsets.choose(rng, 10, 3);
            assertEquals(3, s.length);
            assertTrue(s[0] != s[1] && s[1] != s[2] && s[0] != s[2], "distinct");
            for (int i : s) {
                counts[i]++;
            }
        }
        // each index is in 3/10 of the subsets: 600 of 2000, binomial spread about 20
        for (int c : counts) {
            assertTrue(Math.abs(c - 600) < 100, "count " + c);
        }
        assertArrayEquals(Subsets.choose(new SplittableRandom(7), 64, 32), Subsets.choose(new SplittableRandom(7), 64, 32));
        assertEquals(5, Subsets.choose(new SplittableRandom(7), 5, 5).length);
        assertThrows(IllegalArgumentException.class, () -> Subsets.choose(new SplittableRandom(7), 4, 5));
    }
}
