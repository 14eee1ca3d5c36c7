package dev.t2i.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Fixed sinusoidal embeddings (never trained) used by the DiT. */
public final class SinCos {
    private SinCos() {
    }

    /** Frequencies f_i = exp(-i·ln(10000)/(n - 1)), i = 0..n-1. */
    public static INDArray frequencies(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) Math.exp(-i * Math.log(10000.0) / (n - 1));
        }
        return Nd4j.createFromArray(f);
    }

    /**
     * 2-D position table [gridH·gridW, width] for row-major patches: patch (r, c) gets
     * concat(e(r), e(c)), e(p) = [sin(p·f), cos(p·f)] with width/4 frequencies.
     */
    public static INDArray positions2d(int gridH, int gridW, int width) {
        int quarter = width / 4;
        INDArray f = frequencies(quarter);
        float[][] table = new float[gridH * gridW][width];
        for (int r = 0; r < gridH; r++) {
            for (int c = 0; c < gridW; c++) {
                float[] row = table[r * gridW + c];
                for (int i = 0; i < quarter; i++) {
                    double fi = f.getDouble(i);
                    row[i] = (float) Math.sin(r * fi);
                    row[quarter + i] = (float) Math.cos(r * fi);
                    row[2 * quarter + i] = (float) Math.sin(c * fi);
                    row[3 * quarter + i] = (float) Math.cos(c * fi);
                }
            }
        }
        return Nd4j.create(table);
    }
}
