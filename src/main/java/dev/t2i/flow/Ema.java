package dev.t2i.flow;

import dev.t2i.nn.Workers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Exponential moving average of the weights, the usual sampling weights of diffusion models. */
public final class Ema {
    private final double decay;
    private final Map<String, INDArray> shadow = new LinkedHashMap<>();

    public Ema(double decay, Map<String, INDArray> params) {
        this.decay = decay;
        params.forEach((k, p) -> shadow.put(k, p.dup()));
    }

    /** shadow ← decay·shadow + (1 - decay)·params, in place (no temporary arrays). */
    public void update(Map<String, INDArray> params) {
        var blas = org.nd4j.linalg.factory.Nd4j.getBlasWrapper().level1();
        Workers.shared().forEachSpread(new ArrayList<>(params.keySet()), k -> params.get(k).length(),
                k -> blas.axpy(params.get(k).length(), 1 - decay, params.get(k), shadow.get(k).muli(decay)));
    }

    /** The averaged weights by name. */
    public Map<String, INDArray> weights() {
        return shadow;
    }

    /** Replaces the averages (on resume). */
    public void restore(Map<String, INDArray> values) {
        values.forEach((k, a) -> shadow.get(k).assign(a));
    }
}
