package dev.t2i.eval;

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix by the cyclic Jacobi method, in plain
 * Java and double precision.
 *
 * <p>Why Jacobi: the matrices here are covariances of the judge's features, d ≤ 512 (128 for the
 * default width), where a few sweeps of O(d³) cost seconds at most; the method needs no native
 * library, is accurate to rounding for symmetric matrices (small eigenvalues included, which is
 * what a matrix square root needs), and always gives real eigenvalues and orthonormal eigenvectors.
 */
final class SymmetricEigen {
    private static final int MAX_SWEEPS = 100;

    /** Eigenvalues (unsorted) and, in column k of {@code vectors}, the eigenvector of {@code values[k]}. */
    record Result(double[] values, double[][] vectors) {
    }

    private SymmetricEigen() {
    }

    /** Decomposes {@code s} (its symmetric part, (s + sᵀ)/2, which is s itself for a symmetric input). */
    static Result of(double[][] s) {
        int d = s.length;
        double[][] a = new double[d][d];
        double[][] v = new double[d][d];
        double norm = 0;
        for (int i = 0; i < d; i++) {
            if (s[i].length != d) {
                throw new IllegalArgumentException("not a square matrix: row " + i + " has " + s[i].length + " columns, not " + d);
            }
            for (int j = 0; j < d; j++) {
                a[i][j] = (s[i][j] + s[j][i]) / 2;
                norm += a[i][j] * a[i][j];
            }
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off == 0 || off <= 1e-32 * norm) {
                break;
            }
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    double apq = a[p][q];
                    if (apq == 0) {
                        continue;
                    }
                    // the rotation in the (p, q) plane that zeroes a[p][q]: t = tan φ, cot 2φ = theta
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Double.isInfinite(theta * theta) ? 1 / (2 * theta)
                            : Math.signum(theta == 0 ? 1 : theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double sn = t * c;
                    for (int k = 0; k < d; k++) { // columns p and q: A J
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - sn * akq;
                        a[k][q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++) { // rows p and q: Jᵀ (A J)
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - sn * aqk;
                        a[q][k] = sn * apk + c * aqk;
                    }
                    a[p][q] = 0;
                    a[q][p] = 0;
                    for (int k = 0; k < d; k++) { // V J
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - sn * vkq;
                        v[k][q] = sn * vkp + c * vkq;
                    }
                }
            }
        }
        double[] values = new double[d];
        for (int i = 0; i < d; i++) {
            values[i] = a[i][i];
        }
        return new Result(values, v);
    }

    /**
     * The square root of a symmetric positive semi-definite matrix, V diag(√max(λ, 0)) Vᵀ: the
     * tiny negative eigenvalues that rounding gives a singular covariance are clamped to 0.
     */
    static double[][] sqrtPsd(double[][] s) {
        Result e = of(s);
        int d = s.length;
        double[] root = new double[d];
        for (int k = 0; k < d; k++) {
            root[k] = Math.sqrt(Math.max(0, e.values()[k]));
        }
        double[][] v = e.vectors();
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double sum = 0;
                for (int k = 0; k < d; k++) {
                    sum += v[i][k] * root[k] * v[j][k];
                }
                out[i][j] = sum;
                out[j][i] = sum;
            }
        }
        return out;
    }
}
