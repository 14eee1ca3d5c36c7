package dev.t2i.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A velocity v(x, t) to integrate; t = 1 is noise, t = 0 data. */
@FunctionalInterface
public interface VelocityField {
    /**
     * The velocity at {@code x} and time {@code t}, as a new array that belongs to the caller
     * (the samplers free it after each step).
     */
    INDArray velocity(INDArray x, double t);
}
