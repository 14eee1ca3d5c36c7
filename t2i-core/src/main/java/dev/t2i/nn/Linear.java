package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

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
        return affine(scope, x, w, bias ? s.zeros("bias", TorchLayout.SAME, null, out) : null, in, out);
    }

    /**
     * {@code x·W (+ b)}, W [in, out], for weights created elsewhere (fused projections, convolutions
     * as matmuls).
     *
     * <p>Not ND4J's fused {@code xw_plus_b}: in 1.0.0-M2.1 that op is about three times slower
     * inside a graph and returns column-major arrays, which push the element-wise ops after it
     * (and their gradients) onto slow mixed-order loops. Usually the bias is added after the
     * product. Trained layers that widen their input to at least {@value #FOLD_WIDTH} (MLP in,
     * fused q/k/v) fold it into the product, {@code [x | 1]·[W ; b]}: their bias gradient then
     * comes out of the weight-gradient GEMM instead of a column sum that ND4J runs slowly on wide
     * outputs (48 ms for [4096, 1024] against 2 ms for [4096, 256]). Narrowing layers (the adaLN
     * projections of one vector per image) gain nothing and would keep a copy of their weight.
     */
    public static SDVariable affine(ParamScope scope, SDVariable x, SDVariable w, SDVariable b, long in, long out) {
        SameDiff sd = scope.sd();
        if (b == null) {
            return product(scope, x, w);
        }
        if (scope.mode() != GraphMode.TRAIN || out < FOLD_WIDTH || out <= in) {
            return product(scope, x, w).add(b);
        }
        SDVariable withOnes = scope.derived("with_ones:" + x.name(), () -> sd.concat(1, x, onesColumn(sd, x)));
        return product(scope, withOnes, sd.concat(0, w, b.reshape(1, -1)));
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

    /** Output width from which a trained layer's bias joins its matrix product. */
    public static final int FOLD_WIDTH = 512;

    /** A [rows(x), 1] column of ones; built from x's shape only, so no gradient flows through it. */
    private static SDVariable onesColumn(SameDiff sd, SDVariable x) {
        SDVariable rows = sd.shape(x).get(SDIndex.interval(0, 1));
        return sd.fill(sd.concat(0, rows, sd.constant(Nd4j.createFromArray(1L))), x.dataType(), 1.0);
    }

    /** How a layer's weight starts. */
    public enum Init {
        /** Xavier-uniform, as every Linear of the reference. */
        XAVIER,
        /** All zeros (the DiT's final layer, adaLN-Zero modulations). */
        ZERO
    }
}
