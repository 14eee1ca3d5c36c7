package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class FrechetDistanceTest {
    /** n vectors of N(mean, diag(variance)), from {@code seed}. */
    static double[][] gaussian(int n, double[] mean, double[] variance, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[n][mean.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < mean.length; j++) {
                x[i][j] = mean[j] + Math.sqrt(variance[j]) * normal(rng);
            }
        }
        return x;
    }

    static double normal(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** Correlated features: standard normals mixed by a fixed random matrix. */
    static double[][] correlated(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] mix = new double[d][d];
        for (double[] row : mix) {
            for (int j = 0; j < d; j++) {
                row[j] = rng.nextDouble(-1, 1);
            }
        }
        double[][] z = gaussian(n, new double[d], ones(d), seed + 1);
        return FrechetDistance.multiply(z, mix);
    }

    static double[] ones(int d) {
        double[] v = new double[d];
        java.util.Arrays.fill(v, 1);
        return v;
    }

    static double trace(double[][] s) {
        double t = 0;
        for (int i = 0; i < s.length; i++) {
            t += s[i][i];
        }
        return t;
    }

    static double[][] diag(double... v) {
        double[][] s = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) {
            s[i][i] = v[i];
        }
        return s;
    }

    @Test
    void identicalSetsAreAtDistanceZero() {
        double[][] x = correlated(500, 16, 1);
        double fd = FrechetDistance.between(x, x);
        double scale = trace(FrechetDistance.Gaussian.of(x).covariance());
        assertTrue(fd >= 0 && fd <= 1e-9 * scale, "FD " + fd + " against trace " + scale);
        // the same through ND4J's float arrays
        double fdNd4j = FrechetDistance.between(Nd4j.create(x).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
                Nd4j.create(x).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        assertTrue(fdNd4j <= 1e-9 * scale, "FD of float copies " + fdNd4j);
    }

    @Test
    void identicalSetsWithSingularCovarianceAreAtDistanceZero() {
        // fewer vectors than dimensions: the covariance has rank 9 of 20
        double[][] x = correlated(10, 20, 2);
        double fd = FrechetDistance.between(x, x);
        double scale = trace(FrechetDistance.Gaussian.of(x).covariance());
        assertTrue(fd >= 0 && fd <= 1e-9 * scale, "FD " + fd + " against trace " + scale);
    }

    @Test
    void aShiftedSetIsAtTheSquaredShift() {
        double[][] x = correlated(400, 12, 3);
        double[] m = new double[12];
        double expected = 0;
        for (int j = 0; j < m.length; j++) {
            m[j] = 0.1 * (j - 5);
            expected += m[j] * m[j];
        }
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i].clone();
            for (int j = 0; j < m.length; j++) {
                y[i][j] += m[j];
            }
        }
        assertEquals(expected, FrechetDistance.between(x, y), 1e-9 * expected);
    }

    @Test
    void diagonalGaussiansHaveTheClosedForm() {
        double[] a = {1.0, 4.0, 0.25, 2.0, 9.0};
        double[] b = {2.0, 1.0, 0.5, 2.0, 0.01};
        double[] mu1 = {0, 1, 2, 3, 4};
        double[] mu2 = {1, 1, 0, 3, 4.5};
        double expected = closedForm(a, b, mu1, mu2);
        assertEquals(expected, FrechetDistance.of(mu1, diag(a), mu2, diag(b)), 1e-12 * expected);
        // the same Gaussians in a rotated basis: the covariances are no longer diagonal, the distance is unchanged
        double[][] r = rotation(5, 7);
        assertEquals(expected, FrechetDistance.of(multiplyVector(r, mu1), conjugate(r, diag(a)),
                multiplyVector(r, mu2), conjugate(r, diag(b))), 1e-10 * expected);
    }

    static double closedForm(double[] a, double[] b, double[] mu1, double[] mu2) {
        double fd = 0;
        for (int i = 0; i < a.length; i++) {
            fd += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2);
        }
        return fd;
    }

    @Test
    void samplesOfDiagonalGaussiansApproachTheClosedForm() {
        double[] a = {1.0, 4.0, 0.25, 2.0};
        double[] b = {2.0, 1.0, 0.5, 2.0};
        double[] mu1 = {0, 1, 2, 3};
        double[] mu2 = {1, 1, 1.5, 3};
        double expected = closedForm(a, b, mu1, mu2);
        double fd = FrechetDistance.between(gaussian(40_000, mu1, a, 4), gaussian(40_000, mu2, b, 5));
        assertEquals(expected, fd, 0.02 * expected, "closed form " + expected);
        // the floor: two samples of one distribution are far closer than samples of different ones
        double floor = FrechetDistance.between(gaussian(40_000, mu1, a, 6), gaussian(40_000, mu1, a, 7));
        assertTrue(floor < 0.01 * fd, "floor " + floor + " against " + fd);
    }

    @Test
    void nonDiagonalCovariancesMatchScipy() {
        // Reference: numpy 2.4.6, scipy 1.17.1:
        //   fd = |mu1-mu2|^2 + trace(S1) + trace(S2) - 2 * trace(scipy.linalg.sqrtm(S1 @ S2)).real
        // with S1 = A A^T + 0.1 I, S2 = B B^T + 0.05 I (the values below, rounded exactly to 2 places) for
        //   A = [[1, .5, -.3, .2], [0, 2, .4, -.1], [.3, -.2, 1.5, .6], [.1, 0, -.5, .8]],
        //   B = [[.7, -.4, 0, .5], [.2, 1.1, .3, 0], [-.6, .1, .9, .2], [0, .3, .2, 1.4]].
        double[][] s1 = {
            {1.48, 0.86, -0.13, 0.41},
            {0.86, 4.27, 0.14, -0.28},
            {-0.13, 0.14, 2.84, -0.24},
            {0.41, -0.28, -0.24, 1.0}};
        double[][] s2 = {
            {0.95, -0.30, -0.36, 0.58},
            {-0.30, 1.39, 0.26, 0.39},
            {-0.36, 0.26, 1.27, 0.49},
            {0.58, 0.39, 0.49, 2.14}};
        double[] mu1 = {0.5, -1.0, 2.0, 0.0};
        double[] mu2 = {1.5, 0.25, -0.5, 0.75};
        assertEquals(11.48613187184602, FrechetDistance.of(mu1, s1, mu2, s2), 1e-9 * 11.486);
    }

    /** x[i][j] = sin(0.7 i + 1.3 j²) + 0.1 j, y[i][j] = 0.8 cos(0.3 i (j + 1) + 0.5) + 0.2 + 0.05 i / n (n = 40, d = 5). */
    static double[][][] formulaFeatures() {
        int n = 40;
        int d = 5;
        double[][] x = new double[n][d];
        double[][] y = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = Math.sin(0.7 * i + 1.3 * j * j) + 0.1 * j;
                y[i][j] = 0.8 * Math.cos(0.3 * i * (j + 1) + 0.5) + 0.2 + 0.05 * i / n;
            }
        }
        return new double[][][] {x, y};
    }

    @Test
    void featureSetsMatchNumpyAndScipy() {
        // Reference: numpy 2.4.6, scipy 1.17.1, from the same formulas: np.mean(x, 0), np.cov(x, rowvar=False)
        // (n - 1), then the FD of nonDiagonalCovariancesMatchScipy.
        double[][][] xy = formulaFeatures();
        assertEquals(1.7605381568809921, FrechetDistance.between(xy[0], xy[1]), 1e-9 * 1.76);
    }

    @Test
    void jacobiDecomposesASymmetricMatrix() {
        int d = 30;
        double[][] x = correlated(20, d, 8); // rank 20 of 30: zero eigenvalues too
        double[][] s = FrechetDistance.Gaussian.of(x).covariance();
        SymmetricEigen.Result e = SymmetricEigen.of(s);
        double[][] v = e.vectors();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double rebuilt = 0;
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    rebuilt += v[i][k] * e.values()[k] * v[j][k];
                    dot += v[k][i] * v[k][j];
                }
                assertEquals(s[i][j], rebuilt, 1e-12 * trace(s));
                assertEquals(i == j ? 1 : 0, dot, 1e-12);
            }
        }
        double[][] root = SymmetricEigen.sqrtPsd(s);
        double[][] square = FrechetDistance.multiply(root, root);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertEquals(s[i][j], square[i][j], 1e-10 * trace(s));
            }
        }
    }

    /** A random rotation (Gram-Schmidt of a random matrix). */
    static double[][] rotation(int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] q = new double[d][d];
        for (int c = 0; c < d; c++) {
            double[] v = new double[d];
            for (int i = 0; i < d; i++) {
                v[i] = rng.nextDouble(-1, 1);
            }
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += v[i] * q[i][p];
                }
                for (int i = 0; i < d; i++) {
                    v[i] -= dot * q[i][p];
                }
            }
            double norm = 0;
            for (double vi : v) {
                norm += vi * vi;
            }
            for (int i = 0; i < d; i++) {
                q[i][c] = v[i] / Math.sqrt(norm);
            }
        }
        return q;
    }

    static double[][] conjugate(double[][] r, double[][] s) {
        double[][] rt = new double[r.length][r.length];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < r.length; j++) {
                rt[i][j] = r[j][i];
            }
        }
        return FrechetDistance.multiply(FrechetDistance.multiply(r, s), rt);
    }

    static double[] multiplyVector(double[][] r, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                out[i] += r[i][j] * v[j];
            }
        }
        return out;
    }
}
