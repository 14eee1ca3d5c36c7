package dev.t2i.random;

import java.util.SplittableRandom;

/**
 * Normal draws from a seeded Java stream. Used wherever a value must be the same on every
 * backend for the same seed (initial weights, training noise, sampling noise).
 */
public final class Gaussian {
    private Gaussian() {
    }

    /** Fills {@code dest} with N(0, std²) values; Box-Muller gives two per pair of uniforms. */
    public static float[] fill(SplittableRandom random, float[] dest, double std) {
        for (int i = 0; i < dest.length; i += 2) {
            double r = Math.sqrt(-2 * Math.log(1.0 - random.nextDouble())) * std;
            double a = 2 * Math.PI * random.nextDouble();
            dest[i] = (float) (r * Math.cos(a));
            if (i + 1 < dest.length) {
                dest[i + 1] = (float) (r * Math.sin(a));
            }
        }
        return dest;
    }

    /** One N(0, 1) value. */
    public static double next(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1.0 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
