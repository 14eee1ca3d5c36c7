package dev.t2i.data;

import dev.t2i.random.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Reproducible epoch orders and per-step random streams from one seed.
 *
 * <p>The permutation of epoch {@code e} depends only on (seed, e, n), and the random stream of
 * step {@code s} of epoch {@code e} only on (seed, e, s), so a run resumed at any step draws
 * exactly the batches and flips the uninterrupted run would have drawn, with no generator
 * state to save.
 */
public final class EpochShuffler {
    /** Distinct streams, so a permutation and a step's randomness never share a seed. */
    private static final long PERMUTATION_STREAM = 1;
    private static final long STEP_STREAM = 2;

    private final long seed;

    public EpochShuffler(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** A uniformly random permutation of 0..n-1 for the given epoch. */
    public int[] permutation(int epoch, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(Seeds.mix(seed, PERMUTATION_STREAM, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * The epoch's permutation cut into batches of {@code batchSize}; with {@code dropLast} the
     * final short batch is left out (so every step sees a full batch).
     */
    public int[][] batches(int epoch, int n, int batchSize, boolean dropLast) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        int[] order = permutation(epoch, n);
        int count = stepsPerEpoch(n, batchSize, dropLast);
        int[][] batches = new int[count][];
        for (int b = 0; b < count; b++) {
            batches[b] = Arrays.copyOfRange(order, b * batchSize, Math.min(n, (b + 1) * batchSize));
        }
        return batches;
    }

    /** Number of steps in one epoch. */
    public static int stepsPerEpoch(int n, int batchSize, boolean dropLast) {
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** A random stream for one step of one epoch (flips, noise, time steps, caption dropout). */
    public SplittableRandom random(int epoch, int step) {
        return new SplittableRandom(Seeds.mix(seed, STEP_STREAM, epoch, step));
    }
}
