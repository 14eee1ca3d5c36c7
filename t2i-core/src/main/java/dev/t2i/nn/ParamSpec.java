package dev.t2i.nn;

/**
 * A parameter of a graph: its name (the PyTorch state-dict name), graph shape, PyTorch shape and
 * the conversion between the two.
 */
public record ParamSpec(String name, long[] shape, long[] torchShape, TorchLayout layout, boolean trainable) {
    /** Number of scalar values. */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
