package dev.t2i.train;

import dev.t2i.T2iException;
import dev.t2i.runtime.Workers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exponential moving average of the weights, the usual sampling weights of diffusion models.
 *
 * <p>With warm-up the decay of update {@code s} is min(decay, (1 + s) / (10 + s)): early on the
 * average follows the weights closely and it settles to {@code decay} only once the run has taken
 * enough steps for that window. Without it, an average of decay 0.999 still holds 37 % of the
 * random initial weights after 1,000 steps, and short runs sample noise.
 */
public final class Ema {
    private final double decay;
    private final boolean warmup;
    private final Map<String, INDArray> shadow = new LinkedHashMap<>();

    public Ema(double decay, boolean warmup, Map<String, INDArray> params) {
        this.decay = decay;
        this.warmup = warmup;
        params.forEach((k, p) -> shadow.put(k, p.dup()));
    }

    /** The decay applied by update number {@code step} (0-based). */
    public double decayAt(long step) {
        return warmup ? Math.min(decay, (1.0 + step) / (10.0 + step)) : decay;
    }

    /** shadow ← d·shadow + (1 - d)·params with d = {@link #decayAt}(step), in place (no temporary arrays). */
    public void update(Map<String, INDArray> params, long step) {
        double d = decayAt(step);
        var blas = org.nd4j.linalg.factory.Nd4j.getBlasWrapper().level1();
        Workers.shared().forEachSpread(new ArrayList<>(params.keySet()), k -> params.get(k).length(),
                k -> blas.axpy(params.get(k).length(), 1 - d, params.get(k), shadow.get(k).muli(d)));
    }

    /** The averaged weights by name. */
    public Map<String, INDArray> weights() {
        return shadow;
    }

    /** Replaces the averages (on resume); names and shapes must be the model's. */
    public void restore(Map<String, INDArray> values) {
        for (Map.Entry<String, INDArray> e : values.entrySet()) {
            INDArray mine = shadow.get(e.getKey());
            if (mine == null) {
                throw new T2iException("the checkpoint's EMA has a weight '" + e.getKey()
                        + "' that the model does not (the checkpoint belongs to another model)");
            }
            if (!Arrays.equals(mine.shape(), e.getValue().shape())) {
                throw new T2iException("the checkpoint's EMA weight '" + e.getKey() + "' is "
                        + Arrays.toString(e.getValue().shape()) + " but the model's is " + Arrays.toString(mine.shape())
                        + " (the checkpoint is damaged or belongs to another model)");
            }
            mine.assign(e.getValue());
        }
    }
}
