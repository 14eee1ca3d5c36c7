package dev.t2i.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The in-place AdamW against PyTorch's AdamW formula written out in double precision. */
class AdamWTest {
    @Test
    void matchesTheReferenceFormulaOverSeveralSteps() {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double wd = 0.01;
        double lr = 1e-2;
        int n = 2000;
        Random r = new Random(3);
        double[] p = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        float[] pf = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = r.nextGaussian();
            pf[i] = (float) p[i];
            p[i] = pf[i];
        }
        double[] start = p.clone();
        INDArray param = Nd4j.createFromArray(pf);
        AdamW opt = new AdamW(b1, b2, eps, wd);
        for (int t = 1; t <= 5; t++) {
            float[] gf = new float[n];
            for (int i = 0; i < n; i++) {
                // tiny gradients are where ε decides the step
                gf[i] = (float) (r.nextGaussian() * (i % 7 == 0 ? 1e-4 : i % 11 == 0 ? 1e-8 : 1));
            }
            opt.update(Map.of("w", param), Map.of("w", Nd4j.createFromArray(gf.clone())), lr);
            for (int i = 0; i < n; i++) {
                double g = gf[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                p[i] *= 1 - lr * wd;
                double mHat = m[i] / (1 - Math.pow(b1, t));
                double vHat = v[i] / (1 - Math.pow(b2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        }
        for (int i = 0; i < n; i++) {
            // compared as the distance travelled, which is what the formula decides, give or take
            // the float rounding of five in-place updates of the weight
            double moved = p[i] - start[i];
            double rounding = 5 * Math.ulp((float) Math.max(1, Math.abs(p[i])));
            assertEquals(moved, param.getDouble(i) - start[i], 1e-4 * Math.abs(moved) + rounding, "element " + i);
        }
        assertEquals(5, opt.step());
    }
}
