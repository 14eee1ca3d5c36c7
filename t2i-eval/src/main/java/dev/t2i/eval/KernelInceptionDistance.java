package dev.t2i.eval;

import dev.t2i.T2iException;
import dev.t2i.random.Subsets;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernel distance between two sets of feature vectors (KID when the features are an Inception
 * network's; here the judge's, {@link ImageClassifier#features}): the unbiased estimate of the
 * squared maximum mean discrepancy (MMD²) with the cubic polynomial kernel
 *
 * <pre>
 *   k(x, y) = (x·y / d + 1)³
 *   MMD²ᵤ = Σ_{i≠j} k(xᵢ, xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / m²
 * </pre>
 *
 * averaged over random subsets of m = min(1000, n₁, n₂) vectors from each set.
 *
 * <p>Choices, and why (those of Bińkowski et al., "Demystifying MMD GANs", 2018, and of the
 * reference code, so that figures read like the literature's):
 * <ul>
 *   <li>Unbiased: unlike {@link FrechetDistance}, its expectation does not depend on n, so it
 *       compares sets of different sizes (and per-class figures from 100 images) fairly; the price
 *       is that two samples of one distribution give values scattered around 0, slightly negative
 *       ones included. (Unbiased for independent samples: a set against itself gives
 *       (2/m)(mean off-diagonal k − mean k(xᵢ, xᵢ)), a small negative value that falls as 1/m.)</li>
 *   <li>The cubic polynomial kernel with the 1/d scale: it compares the first three moments of the
 *       features and needs no bandwidth to tune.</li>
 *   <li>Subsets of at most 1000 (100 by default): the cost is O(m² d) per subset instead of
 *       O(n² d), and the spread over subsets gives the standard deviation reported beside the mean
 *       (the population standard deviation of the subset values, as the reference code reports).
 *       The subsets are drawn without replacement within a subset from a fixed seed, so a
 *       measurement repeats exactly.</li>
 * </ul>
 */
public final class KernelInceptionDistance {
    /** Subsets averaged by default (the reference code's). */
    public static final int DEFAULT_SUBSETS = 100;
    /** The largest subset by default (the reference code's). */
    public static final int MAX_SUBSET_SIZE = 1000;

    private KernelInceptionDistance() {
    }

    /**
     * The estimate.
     *
     * @param mean       the mean of MMD²ᵤ over the subsets
     * @param std        the population standard deviation of MMD²ᵤ over the subsets
     * @param subsets    subsets averaged
     * @param subsetSize vectors drawn from each set per subset
     */
    public record Estimate(double mean, double std, int subsets, int subsetSize) {
    }

    /** KID with the defaults: 100 subsets of min(1000, n₁, n₂), seed 0. */
    public static Estimate between(double[][] x, double[][] y) {
        return between(x, y, DEFAULT_SUBSETS, Math.min(MAX_SUBSET_SIZE, Math.min(x.length, y.length)), 0);
    }

    /** KID with the defaults: 100 subsets of min(1000, n₁, n₂), seed 0. */
    public static Estimate between(INDArray x, INDArray y) {
        return between(FrechetDistance.toDoubles(x), FrechetDistance.toDoubles(y));
    }

    /**
     * KID over {@code subsets} random subsets of {@code subsetSize} vectors from each of x [n₁, d]
     * and y [n₂, d], drawn from {@code seed}.
     */
    public static Estimate between(double[][] x, double[][] y, int subsets, int subsetSize, long seed) {
        if (x.length == 0 || y.length == 0 || x[0].length != y[0].length) {
            throw new T2iException("KID needs two non-empty sets of equal dimension, got " + x.length + " and "
                    + y.length + " vectors");
        }
        if (subsets < 1 || subsetSize < 2 || subsetSize > x.length || subsetSize > y.length) {
            throw new T2iException("KID needs at least one subset of 2 to min(n1, n2) = "
                    + Math.min(x.length, y.length) + " vectors, got " + subsets + " of " + subsetSize);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] values = new double[subsets];
        for (int s = 0; s < subsets; s++) {
            INDArray xi = rows(x, Subsets.choose(rng, x.length, subsetSize));
            INDArray yi = rows(y, Subsets.choose(rng, y.length, subsetSize));
            values[s] = mmd2Unbiased(xi, yi);
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= subsets;
        double var = 0;
        for (double v : values) {
            var += (v - mean) * (v - mean);
        }
        return new Estimate(mean, Math.sqrt(var / subsets), subsets, subsetSize);
    }

    /** MMD²ᵤ between all rows of x [m, d] and of y [m, d] (double). */
    static double mmd2Unbiased(INDArray x, INDArray y) {
        long m = x.size(0);
        double d = x.size(1);
        double kxx = kernelSum(x, x, d, true);
        double kyy = kernelSum(y, y, d, true);
        double kxy = kernelSum(x, y, d, false);
        return (kxx + kyy) / (m * (m - 1.0)) - 2 * kxy / ((double) m * m);
    }

    /** The sum of k(aᵢ, bⱼ) over all i, j, less the diagonal's where {@code offDiagonal} (a = b). */
    private static double kernelSum(INDArray a, INDArray b, double d, boolean offDiagonal) {
        // the dot products by ND4J's matrix product; the cube and the sum in Java, which is several
        // times faster than ND4J's element-wise ops on a fresh million-element array
        double[] dots = a.mmul(b.transpose()).data().asDouble();
        int cols = (int) b.size(0);
        double sum = 0;
        for (int i = 0, at = 0; at < dots.length; i++) {
            for (int j = 0; j < cols; j++, at++) {
                double k = dots[at] / d + 1;
                sum += offDiagonal && i == j ? 0 : k * k * k;
            }
        }
        return sum;
    }

    /** The chosen rows as a double matrix (gathered in Java: ND4J's getRows copies row by row, far slower). */
    private static INDArray rows(double[][] a, int[] idx) {
        int d = a[0].length;
        double[] flat = new double[idx.length * d];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(a[idx[i]], 0, flat, i * d, d);
        }
        return Nd4j.create(flat, new long[] {idx.length, d}, 'c');
    }
}
