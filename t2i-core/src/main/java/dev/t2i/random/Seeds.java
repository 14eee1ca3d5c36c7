package dev.t2i.random;

/**
 * Derives independent seeds from a base seed and counters (epoch, step, image index), so any
 * item of a seeded stream can be reproduced on its own, in any order or thread.
 */
public final class Seeds {
    private Seeds() {
    }

    /**
     * A seed for the given counters. Each step feeds the previous result through a bijective
     * 64-bit finaliser, so different counter tuples give unrelated seeds.
     */
    public static long mix(long seed, long... counters) {
        long z = finalise(seed);
        for (long c : counters) {
            z = finalise(z + c);
        }
        return z;
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
