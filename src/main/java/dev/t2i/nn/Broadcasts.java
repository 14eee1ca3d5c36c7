package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** Broadcasting element-wise ops written so that their gradients stay on ND4J's fast paths. */
public final class Broadcasts {
    private Broadcasts() {
    }

    /**
     * {@code x·b} where {@code b} broadcasts against {@code x} (a per-row scale [N,1], a per-sample
     * modulation [B,1,D]). The value is exactly {@code x.mul(b)}: {@code b} is first expanded to
     * x's shape by adding it to zeros. Why: in 1.0.0-M2.1 the gradient of a broadcasting multiply
     * ({@code multiply_bp}) runs about ten times slower than the same-shape one plus the gradient
     * of a broadcasting add (a plain sum over the broadcast axes), measured at the DiT's shapes.
     */
    public static SDVariable mul(SameDiff sd, SDVariable x, SDVariable b) {
        return x.mul(sd.zerosLike(x).add(b));
    }
}
