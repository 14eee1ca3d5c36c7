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
        // c·c rather than square(c): same value, and its gradient avoids ND4J's slow pow derivative
        SDVariable var = centered.mul(centered).mean(true, -1);
        return Broadcasts.mul(sd, centered, sd.math.rsqrt(var.add(eps)));
    }

    /** Normalisation with a learned gain ({@code name.weight}, ones) and bias ({@code name.bias}, zeros). */
    public static SDVariable affine(ParamScope scope, String name, SDVariable x, long width, double eps) {
        ParamScope s = scope.child(name);
        SDVariable gain = s.ones("weight", width);
        SDVariable bias = s.zeros("bias", TorchLayout.SAME, null, width);
        return plain(scope.sd(), x, eps).mul(gain).add(bias);
    }
}
