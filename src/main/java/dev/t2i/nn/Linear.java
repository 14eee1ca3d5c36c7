package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/** The one fully connected layer of the project: {@code y = x·W + b} on 2-D activations [N, in]. */
public final class Linear {
    private Linear() {
    }

    /** Xavier-uniform weight, zero bias; PyTorch names {@code name.weight} / {@code name.bias}. */
    public static SDVariable apply(ParamScope scope, String name, SDVariable x, long in, long out) {
        return apply(scope, name, x, in, out, Init.XAVIER, true);
    }

    /** A linear layer with the given initialisation and optional bias. */
    public static SDVariable apply(ParamScope scope, String name, SDVariable x, long in, long out, Init init,
            boolean bias) {
        ParamScope s = scope.child(name);
        SDVariable w = init == Init.ZERO
                ? s.zeros("weight", TorchLayout.TRANSPOSED, null, in, out)
                : s.xavierWeight("weight", in, out, TorchLayout.TRANSPOSED, null);
        return affine(scope, x, w, bias ? s.zeros("bias", TorchLayout.SAME, null, out) : null);
    }

    /**
     * {@code x·W (+ b)} for weights created elsewhere (fused projections, convolutions as matmuls).
     * A matrix product plus a broadcast add, not ND4J's fused {@code xw_plus_b}: in 1.0.0-M2.1 that
     * op is about three times slower inside a graph and returns column-major arrays, which then
     * push the element-wise ops after it (and their gradients) onto slow mixed-order loops.
     */
    public static SDVariable affine(ParamScope scope, SDVariable x, SDVariable w, SDVariable b) {
        SDVariable y = scope.sd().mmul(x, w);
        return b == null ? y : y.add(b);
    }

    /** How a layer's weight starts. */
    public enum Init {
        /** Xavier-uniform, as every Linear of the reference. */
        XAVIER,
        /** All zeros (the DiT's final layer, adaLN-Zero modulations). */
        ZERO
    }
}
