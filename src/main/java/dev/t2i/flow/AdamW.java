package dev.t2i.flow;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * AdamW with decoupled weight decay, as PyTorch's: p ← p·(1 - lr·wd) - lr·m̂/(√v̂ + ε).
 * The moment arrays are plain named tensors so a checkpoint can store and restore them exactly.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, INDArray> m = new LinkedHashMap<>();
    private final Map<String, INDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /**
     * Applies one update in place to every parameter that has a gradient. The gradient arrays
     * are used as scratch space and hold garbage afterwards: every step works in place, because
     * fresh off-heap arrays (several per parameter per step) cost more in page faults than the
     * arithmetic.
     */
    public void update(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / bc1;
        var blas = Nd4j.getBlasWrapper().level1();
        for (var e : grads.entrySet()) {
            INDArray p = params.get(e.getKey());
            INDArray g = e.getValue();
            INDArray mi = m.computeIfAbsent(e.getKey(), k -> p.ulike().assign(0));
            INDArray vi = v.computeIfAbsent(e.getKey(), k -> p.ulike().assign(0));
            long n = g.length();
            blas.axpy(n, 1 - beta1, g, mi.muli(beta1));          // m = β1·m + (1-β1)·g
            INDArray t = g.muli(g);                                // g is scratch from here on
            blas.axpy(n, 1 - beta2, t, vi.muli(beta2));          // v = β2·v + (1-β2)·g²
            if (weightDecay > 0) {
                p.muli(1 - lr * weightDecay);
            }
            Transforms.sqrt(t.assign(vi).divi(bc2), false).addi(eps);  // √v̂ + ε
            blas.axpy(n, -stepSize, t.rdivi(mi), p);             // p -= lr·m̂/(√v̂ + ε)
        }
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    /** The optimiser state as named tensors ({@code m.NAME}, {@code v.NAME}). */
    public Map<String, INDArray> state() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("m." + k, a));
        v.forEach((k, a) -> out.put("v." + k, a));
        return out;
    }

    /** Restores state written by {@link #state()} at the given step. */
    public void restore(Map<String, INDArray> state, long step) {
        m.clear();
        v.clear();
        state.forEach((k, a) -> (k.startsWith("m.") ? m : v).put(k.substring(2), a.dup()));
        this.step = step;
    }
}
