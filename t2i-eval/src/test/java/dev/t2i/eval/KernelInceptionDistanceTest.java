package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import org.junit.jupiter.api.Test;

class KernelInceptionDistanceTest {
    @Test
    void matchesNumpyOnOneSubsetOfAll() {
        // Reference: numpy 2.4.6, on FrechetDistanceTest.formulaFeatures(): with K = (X Yᵀ / d + 1)³,
        // (sum(Kxx) - trace(Kxx) + sum(Kyy) - trace(Kyy)) / (m (m - 1)) - 2 sum(Kxy) / m², m = 40.
        // One subset of all 40 rows: the order of the rows does not change the value.
        double[][][] xy = FrechetDistanceTest.formulaFeatures();
        KernelInceptionDistance.Estimate e = KernelInceptionDistance.between(xy[0], xy[1], 1, 40, 0);
        assertEquals(0.27524792305520496, e.mean(), 1e-9 * 0.275);
        assertEquals(0, e.std(), 0);
    }

    @Test
    void identicalSetsGiveTheSmallNegativeValueOfTheEstimator() {
        // Unbiased means: for two independent samples. A set against itself (one subset of all of it)
        // gives exactly (2/m)(mean off-diagonal kernel - mean diagonal kernel) < 0, which falls as 1/m.
        double[][] x = FrechetDistanceTest.correlated(400, 16, 11);
        KernelInceptionDistance.Estimate same = KernelInceptionDistance.between(x, x, 1, 400, 0);
        double expected = selfValue(x);
        assertTrue(expected < 0);
        assertEquals(expected, same.mean(), 1e-9 * Math.abs(expected));
        double[][] quarter = java.util.Arrays.copyOf(x, 100);
        double ratio = KernelInceptionDistance.between(quarter, quarter, 1, 100, 0).mean() / same.mean();
        assertEquals(4, ratio, 0.5, "a quarter of the set: about four times the value");
        // and small beside a real difference
        KernelInceptionDistance.Estimate other = KernelInceptionDistance.between(x, shifted(x, 1.0), 1, 400, 0);
        assertTrue(Math.abs(same.mean()) < 0.1 * other.mean(), same + " against " + other);
    }

    /** (2/m)(mean of k(xi, xj) for i != j - mean of k(xi, xi)), k(x, y) = (x.y / d + 1)^3. */
    static double selfValue(double[][] x) {
        int m = x.length;
        int d = x[0].length;
        double off = 0;
        double diagonal = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += x[i][k] * x[j][k];
                }
                double kij = Math.pow(dot / d + 1, 3);
                if (i == j) {
                    diagonal += kij;
                } else {
                    off += kij;
                }
            }
        }
        return 2.0 / m * (off / (m * (m - 1.0)) - diagonal / m);
    }

    @Test
    void differentDistributionsAreFartherThanOne() {
        double[] zero = new double[8];
        double[] ones = FrechetDistanceTest.ones(8);
        double[] shift = new double[8];
        java.util.Arrays.fill(shift, 0.25);
        double[][] a = FrechetDistanceTest.gaussian(2000, zero, ones, 21);
        double[][] b = FrechetDistanceTest.gaussian(2000, zero, ones, 22);
        double[][] c = FrechetDistanceTest.gaussian(2000, shift, ones, 23);
        KernelInceptionDistance.Estimate floor = KernelInceptionDistance.between(a, b, 20, 1000, 0);
        KernelInceptionDistance.Estimate apart = KernelInceptionDistance.between(a, c, 20, 1000, 0);
        assertEquals(1000, floor.subsetSize());
        assertTrue(apart.mean() > floor.mean() + 3 * (apart.std() + floor.std()), floor + " against " + apart);
        assertTrue(Math.abs(floor.mean()) < 3 * floor.std() + 1e-3, "floor " + floor);
    }

    @Test
    void aFixedSeedRepeatsAndAnotherSeedDrawsOtherSubsets() {
        double[][] a = FrechetDistanceTest.correlated(300, 6, 31);
        double[][] b = shifted(FrechetDistanceTest.correlated(300, 6, 32), 0.1);
        KernelInceptionDistance.Estimate first = KernelInceptionDistance.between(a, b, 20, 100, 5);
        assertEquals(first, KernelInceptionDistance.between(a, b, 20, 100, 5));
        assertTrue(first.mean() != KernelInceptionDistance.between(a, b, 20, 100, 6).mean());
    }

    @Test
    void refusesSubsetsLargerThanASet() {
        double[][] a = FrechetDistanceTest.correlated(50, 4, 41);
        double[][] b = FrechetDistanceTest.correlated(20, 4, 42);
        assertThrows(T2iException.class, () -> KernelInceptionDistance.between(a, b, 10, 30, 0));
        assertEquals(20, KernelInceptionDistance.between(a, b).subsetSize());
    }

    static double[][] shifted(double[][] x, double by) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i].clone();
            for (int j = 0; j < y[i].length; j++) {
                y[i][j] += by;
            }
        }
        return y;
    }
}
