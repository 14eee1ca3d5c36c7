package dev.t2i.eval;

import dev.t2i.T2iException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Fréchet distance between two sets of feature vectors (FID when the features are an Inception
 * network's; here the penultimate features of the project's CIFAR-10 judge, {@link
 * ImageClassifier#features}): each set is summarised by its mean μ and covariance Σ, and the
 * distance is the squared 2-Wasserstein distance between the Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂):
 *
 * <pre>
 *   FD = |μ₁ − μ₂|² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)
 * </pre>
 *
 * <p>Choices, and why:
 * <ul>
 *   <li>The symmetric form (Σ₁^½ Σ₂ Σ₁^½)^½ instead of the usual sqrtm(Σ₁ Σ₂): the product Σ₁ Σ₂
 *       is not symmetric, and its matrix square root (scipy's Schur method in the reference FID
 *       code) can come out complex or inaccurate for the near-singular covariances of a few hundred
 *       samples; Σ₁^½ Σ₂ Σ₁^½ is symmetric positive semi-definite with the same eigenvalues as
 *       Σ₁ Σ₂, so its trace-root Σ√λ is the same number, computed from real eigenvalues only.</li>
 *   <li>Eigenvalues by the Jacobi method ({@link SymmetricEigen}) in double precision; the tiny
 *       negative eigenvalues rounding gives a singular covariance are clamped to 0, and a result
 *       below 0 by rounding (identical sets) is reported as 0.</li>
 *   <li>The covariance divides by n − 1 (numpy's {@code np.cov}, as the reference FID code uses),
 *       so figures compare with the literature's for the same features.</li>
 * </ul>
 *
 * <p>FD is biased upwards for small n (the sample covariance's noise adds to the distance), so
 * distances compare only at equal n; {@link KernelInceptionDistance} is the unbiased companion.
 */
public final class FrechetDistance {
    private FrechetDistance() {
    }

    /**
     * The mean and covariance (n − 1 in the denominator) of a set of feature vectors, kept so that
     * a reference set's statistics are computed once and compared with many.
     */
    public record Gaussian(double[] mean, double[][] covariance, int count) {
        /** The statistics of {@code features} [n, d], n ≥ 2. */
        public static Gaussian of(double[][] features) {
            int n = features.length;
            if (n < 2) {
                throw new T2iException("a Fréchet distance needs at least 2 feature vectors per set, got " + n);
            }
            int d = features[0].length;
            double[] mean = new double[d];
            for (double[] row : features) {
                if (row.length != d) {
                    throw new T2iException("feature vectors of different lengths: " + row.length + " and " + d);
                }
                for (int j = 0; j < d; j++) {
                    mean[j] += row[j];
                }
            }
            for (int j = 0; j < d; j++) {
                mean[j] /= n;
            }
            double[][] cov = new double[d][d];
            double[] c = new double[d];
            for (double[] row : features) {
                for (int j = 0; j < d; j++) {
                    c[j] = row[j] - mean[j];
                }
                for (int i = 0; i < d; i++) {
                    double ci = c[i];
                    double[] covI = cov[i];
                    for (int j = i; j < d; j++) {
                        covI[j] += ci * c[j];
                    }
                }
            }
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    cov[i][j] /= n - 1;
                    cov[j][i] = cov[i][j];
                }
            }
            return new Gaussian(mean, cov, n);
        }

        /** The statistics of {@code features} [n, d] (any floating type; computed in double). */
        public static Gaussian of(INDArray features) {
            return of(toDoubles(features));
        }

        /** The feature dimension. */
        public int dimension() {
            return mean.length;
        }
    }

    /** The Fréchet distance between two sets of feature vectors [n₁, d] and [n₂, d]. */
    public static double between(double[][] a, double[][] b) {
        return between(Gaussian.of(a), Gaussian.of(b));
    }

    /** The Fréchet distance between two sets of feature vectors [n₁, d] and [n₂, d]. */
    public static double between(INDArray a, INDArray b) {
        return between(Gaussian.of(a), Gaussian.of(b));
    }

    /** The Fréchet distance between two sets' statistics. */
    public static double between(Gaussian a, Gaussian b) {
        return of(a.mean(), a.covariance(), b.mean(), b.covariance());
    }

    /**
     * The Fréchet distance between N(μ₁, Σ₁) and N(μ₂, Σ₂) for symmetric positive semi-definite
     * Σ₁ and Σ₂.
     */
    public static double of(double[] mu1, double[][] s1, double[] mu2, double[][] s2) {
        int d = mu1.length;
        if (mu2.length != d || s1.length != d || s2.length != d) {
            throw new T2iException("Fréchet distance of different dimensions: means " + d + " and " + mu2.length
                    + ", covariances " + s1.length + " and " + s2.length);
        }
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
        }
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += s1[i][i] + s2[i][i];
        }
        double[][] root1 = SymmetricEigen.sqrtPsd(s1);
        double[][] m = multiply(multiply(root1, s2), root1);
        double traceRoot = 0;
        for (double lambda : SymmetricEigen.of(m).values()) {
            traceRoot += Math.sqrt(Math.max(0, lambda));
        }
        return Math.max(0, meanTerm + trace - 2 * traceRoot);
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int k = b.length;
        int m = b[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            double[] outI = out[i];
            for (int l = 0; l < k; l++) {
                double ail = a[i][l];
                double[] bl = b[l];
                for (int j = 0; j < m; j++) {
                    outI[j] += ail * bl[j];
                }
            }
        }
        return out;
    }

    /** A 2-D array [n, d] as doubles. */
    static double[][] toDoubles(INDArray features) {
        if (features.rank() != 2) {
            throw new T2iException("feature matrices are [n, d], got shape " + java.util.Arrays.toString(features.shape()));
        }
        return features.castTo(DataType.DOUBLE).toDoubleMatrix();
    }
}
