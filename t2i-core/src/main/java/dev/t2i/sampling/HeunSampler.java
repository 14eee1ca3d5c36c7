package dev.t2i.sampling;

import dev.t2i.runtime.NativeArrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Heun's second-order method: an Euler predictor x' = x − dt·v(x, t), then the trapezoidal
 * corrector x ← x − dt/2·(v(x, t) + v(x', t − dt)); two model calls per step. Every instance is
 * {@link Sampler#HEUN} (equal, same name).
 */
public record HeunSampler() implements Sampler {
    @Override
    public String id() {
        return "heun";
    }

    @Override
    public void step(VelocityField field, INDArray x, INDArray v, double t, double dt) {
        INDArray predicted = v.mul(-dt).addi(x);
        INDArray v2 = field.velocity(predicted, t - dt);
        x.subi(v.addi(v2).muli(dt / 2));
        NativeArrays.closeAll(List.of(v, v2, predicted));
    }

    @Override
    public String toString() {
        return id();
    }
}
