package dev.t2i.train;

import dev.t2i.runtime.Workers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

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
     * are used as scratch space and hold the applied update afterwards: every step works in
     * place, because fresh off-heap arrays cost more in page faults than the arithmetic.
     */
    public void update(Map<String, INDArray> params, Map<String, INDArray> grads, double lr) {
        step++;
        // libnd4j's fused adam_updater adds ε to √v where PyTorch adds it to √v̂ = √v/√(1-β2^t):
        // handing it ε·√(1-β2^t) makes the two the same formula
        double fusedEps = eps * Math.sqrt(1 - Math.pow(beta2, step));
        double decay = 1 - lr * weightDecay;
        List<String> names = new ArrayList<>(grads.keySet());
        for (String name : names) {
            INDArray p = params.get(name);
            m.computeIfAbsent(name, k -> p.ulike().assign(0));
            v.computeIfAbsent(name, k -> p.ulike().assign(0));
        }
        // one fused pass per parameter instead of about ten element-wise ones, the parameters
        // spread over the workers: between steps every core but one would otherwise be idle
        Workers.shared().forEachSpread(names, name -> grads.get(name).length(), name -> {
            INDArray p = params.get(name);
            INDArray g = grads.get(name);
            INDArray mi = m.get(name);
            INDArray vi = v.get(name);
            // a negative rate makes g the step to add, so that decay and step are one pass: p ← decay·p + g
            Nd4j.exec(new AdamUpdater(g, vi, mi, g, vi, mi, -lr, beta1, beta2, fusedEps, (int) (step - 1)));
            Nd4j.exec(new Axpy(p, g, p, decay));
        });
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
