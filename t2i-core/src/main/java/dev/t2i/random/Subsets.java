package dev.t2i.random;

import java.util.SplittableRandom;

/** Uniformly random subsets drawn from a seeded stream. */
public final class Subsets {
    private Subsets() {
    }

    /**
     * {@code k} distinct indices of [0, n), uniformly random and in the order drawn: the first k
     * places of a partial Fisher-Yates shuffle, k draws from the stream.
     */
    public static int[] choose(SplittableRandom rng, int n, int k) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("cannot choose " + k + " of " + n);
        }
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, k);
    }
}
