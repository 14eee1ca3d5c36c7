package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Broadcasting element-wise products written so that their gradients stay on ND4J's fast paths.
 *
 * <p>In 1.0.0-M2.1 the gradient of a broadcasting multiply ({@code multiply_bp}) runs about ten
 * times slower than a same-shape multiply's plus a broadcasting add's (a plain sum over the
 * broadcast axes), measured at the DiT's shapes. So the small operand is first expanded to the full
 * shape by adding it to zeros; the value is exactly {@code x.mul(b)}. The zeros are shared by all
 * products of one shape in a graph and made from a placeholder's shape, so nothing is
 * differentiated through them and a training step keeps one such array, not one per product.
 */
public final class Broadcasts {
    private Broadcasts() {
    }

    /**
     * {@code x·b} for {@code b} broadcasting against {@code x}; {@code zeros} has x's shape, or is
     * null in graphs that only run forwards, where the plain broadcasting product is the faster.
     */
    public static SDVariable mul(SDVariable x, SDVariable b, SDVariable zeros) {
        return zeros == null ? x.mul(b) : x.mul(zeros.add(b));
    }

    /**
     * Zeros of shape [size(like, 0)·factor, tail…] in like's data type, built from like's shape
     * alone. E.g. {@code zeros(sd, images, tokens, width)} for token activations [B·N, D].
     */
    public static SDVariable zeros(SameDiff sd, SDVariable like, long factor, long... tail) {
        SDVariable rows = sd.shape(like).get(SDIndex.interval(0, 1));
        if (factor != 1) {
            rows = rows.mul(factor);
        }
        SDVariable shape = sd.concat(0, rows, sd.constant(Nd4j.createFromArray(tail)));
        return sd.fill(shape, like.dataType(), 0.0);
    }
}
