package dev.t2i.sampling;

import dev.t2i.runtime.NativeArrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Euler's method, x ← x − dt·v(x, t): the reference sampler, one model call per step. Every
 * instance is {@link Sampler#EULER} (equal, same name).
 */
public record EulerSampler() implements Sampler {
    @Override
    public String id() {
        return "euler";
    }

    @Override
    public void step(VelocityField field, INDArray x, INDArray v, double t, double dt) {
        x.subi(v.muli(dt));
        NativeArrays.closeAll(List.of(v));
    }

    @Override
    public String toString() {
        return id();
    }
}
