package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

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
     * {@code x·W (+ b)}, W [in, out], for weights created elsewhere (fused projections, convolutions
     * as matmuls).
     *
     * <p>Not ND4J's fused {@code xw_plus_b}: in 1.0.0-M2.1 that op is about three times slower
     * inside a graph and returns column-major arrays, which push the element-wise ops after it
     * (and their gradients) onto slow mixed-order loops. The bias is added after the product; its
     * gradient, a sum over rows, the graph runner computes as a ones-row product
     * ({@code ADD_BP}). Folding the bias into the product as {@code [x | 1]·[W ; b]} for wide layers,
     * as this method once did, only added the copies that join the ones column: without it the
     * {@code cifar-cpu} step took 0.93 of the time (median of eight alternating rounds, 0.80–1.10) and the
     * {@code seed} step 0.77 / 0.89 (two), 2026-12-06.
     */
    public static SDVariable affine(ParamScope scope, SDVariable x, SDVariable w, SDVariable b) {
        return b == null ? product(scope, x, w) : product(scope, x, w).add(b);
    }

    /**
     * {@code x·w} in the scope's {@link ParamScope#products() product type}. In BFLOAT16 the operands
     * are cast down and the result back up; SameDiff's gradient of a cast is the cast back, so the
     * backward products run in bf16 too and every gradient leaves them in single precision. oneDNN
     * accumulates a bf16 product in single precision; only its operands and result are rounded.
     * ND4J 1.0.0-M2.1 has no bf16 × bf16 → float32 product, hence the cast of the result.
     */
    static SDVariable product(ParamScope scope, SDVariable x, SDVariable w) {
        SameDiff sd = scope.sd();
        if (scope.products() != DataType.BFLOAT16 || scope.dtype() == DataType.BFLOAT16) {
            return sd.mmul(x, w);
        }
        return sd.mmul(x.castTo(DataType.BFLOAT16), w.castTo(DataType.BFLOAT16)).castTo(scope.dtype());
    }

    /** How a layer's weight starts. */
    public enum Init {
        /** Xavier-uniform, as every Linear of the reference. */
        XAVIER,
        /** All zeros (the DiT's final layer, adaLN-Zero modulations). */
        ZERO
    }
}
