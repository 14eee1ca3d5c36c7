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
        return plain(sd, x, eps, null);
    }

    /**
     * The same, for graphs that are trained: with {@code zeros} of x's shape the per-row scale is
     * applied through {@link Broadcasts#mul}, whose gradient is much faster; null multiplies
     * directly (cheaper forwards only).
     */
    public static SDVariable plain(SameDiff sd, SDVariable x, double eps, SDVariable zeros) {
        SDVariable centered = x.sub(x.mean(true, -1));
        // c·c rather than square(c): same value, and its gradient avoids ND4J's slow pow derivative
        SDVariable var = centered.mul(centered).mean(true, -1);
        SDVariable scale = sd.math.rsqrt(var.add(eps));
        return zeros == null ? centered.mul(scale) : Broadcasts.mul(centered, scale, zeros);
    }

    /** Normalisation with a learned gain ({@code name.weight}, ones) and bias ({@code name.bias}, zeros). */
    public static SDVariable affine(ParamScope scope, String name, SDVariable x, long width, double eps) {
        return affine(scope, name, x, width, eps, null);
    }

    /** The same with {@code zeros} of x's shape for a faster gradient (see {@link #plain(SameDiff, SDVariable, double, SDVariable)}). */
    public static SDVariable affine(ParamScope scope, String name, SDVariable x, long width, double eps,
            SDVariable zeros) {
        ParamScope s = scope.child(name);
        SDVariable gain = s.ones("weight", width);
        SDVariable bias = s.zeros("bias", TorchLayout.SAME, null, width);
        SDVariable normed = plain(scope.sd(), x, eps, zeros);
        return (zeros == null ? normed.mul(gain) : Broadcasts.mul(normed, gain, zeros)).add(bias);
    }
}
