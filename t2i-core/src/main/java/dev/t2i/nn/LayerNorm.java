package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Layer normalisation over the last axis with an explicit epsilon.
 *
 * <p>Built from primitives because ND4J's fused {@code layer_norm} has no epsilon, which makes it
 * differ from PyTorch's (eps 1e-5) on low-variance rows.
 */
public final class LayerNorm {
    private LayerNorm() {
    }

    /** Normalisation without gain or bias (the adaLN form). */
    public static SDVariable plain(SameDiff sd, SDVariable x, double eps) {
        SDVariable centered = x.sub(x.mean(true, -1));
        SDVariable var = centered.mul(centered).mean(true, -1);
        return centered.mul(sd.math.rsqrt(var.add(eps)));
    }

    /**
     * The same for graphs that are trained, over rows {@code width} wide; {@code zeros} has x's
     * shape. The variance is the squared norm of the centred rows over the width (no stored
     * [rows, width] square, unlike mean(c·c), whose gradient keeps it) and the per-row scale goes
     * through {@link Broadcasts#mul}, whose gradient is much faster than a broadcasting multiply's.
     */
    public static SDVariable plain(SameDiff sd, SDVariable x, long width, double eps, SDVariable zeros) {
        SDVariable centered = x.sub(x.mean(true, -1));
        SDVariable var = sd.squaredNorm(centered, true, -1).mul(1.0 / width);
        return Broadcasts.mul(centered, sd.math.rsqrt(var.add(eps)), zeros);
    }

    /** Normalisation with a learned gain ({@code name.weight}, ones) and bias ({@code name.bias}, zeros). */
    public static SDVariable affine(ParamScope scope, String name, SDVariable x, long width, double eps) {
        ParamScope s = scope.child(name);
        SDVariable gain = s.ones("weight", width);
        SDVariable bias = s.zeros("bias", TorchLayout.SAME, null, width);
        return plain(scope.sd(), x, eps).mul(gain).add(bias);
    }

    /**
     * The same for trained graphs, {@code zeros} of x's shape (see
     * {@link #plain(SameDiff, SDVariable, long, double, SDVariable)}).
     */
    public static SDVariable affine(ParamScope scope, String name, SDVariable x, long width, double eps,
            SDVariable zeros) {
        ParamScope s = scope.child(name);
        SDVariable gain = s.ones("weight", width);
        SDVariable bias = s.zeros("bias", TorchLayout.SAME, null, width);
        return Broadcasts.mul(plain(scope.sd(), x, width, eps, zeros), gain, zeros).add(bias);
    }
}
