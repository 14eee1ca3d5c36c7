package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** Activation functions by the names checkpoints use, with the exact definitions they expect. */
public final class Activations {
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    private Activations() {
    }

    /** Applies an activation by name: {@code gelu} (erf), {@code quick_gelu}, {@code silu}. */
    public static SDVariable apply(SameDiff sd, String name, SDVariable x) {
        return switch (name) {
            case "gelu" -> gelu(sd, x);
            // ND4J's gelu op is x·sigmoid(1.702x), which is exactly CLIP's quick_gelu
            case "quick_gelu" -> sd.nn.gelu(x);
            case "silu", "swish" -> sd.nn.swish(x);
            default -> throw new IllegalArgumentException("unsupported activation '" + name
                    + "' (supported: gelu, quick_gelu, silu)");
        };
    }

    /**
     * The exact GELU x·½·(1 + erf(x/√2)) = (x/2)·erfc(-x/√2); ND4J's preciseGelu is neither the
     * erf nor the tanh form. The erfc form is one op (and one stored activation) shorter and
     * avoids the cancellation of 1 + erf for negative x.
     */
    public static SDVariable gelu(SameDiff sd, SDVariable x) {
        return x.mul(0.5).mul(sd.math.erfc(x.mul(-INV_SQRT2)));
    }
}
