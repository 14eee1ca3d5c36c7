package dev.t2i.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A velocity v(x, t) to integrate; t = 1 is noise, t = 0 data. */
@FunctionalInterface
public interface VelocityField {
    INDArray velocity(INDArray x, double t);
}
