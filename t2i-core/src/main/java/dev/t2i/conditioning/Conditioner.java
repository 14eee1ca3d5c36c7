package dev.t2i.conditioning;

import java.util.List;

/**
 * Turns what a batch is conditioned on (captions or class labels) into DiT inputs, with the
 * null condition used for classifier-free guidance and for condition dropout in training.
 */
public interface Conditioner {
    /**
     * The conditioning of a batch; row i takes the null condition where {@code drop[i]} is true.
     *
     * @param captions one caption per row (text models; may be null for class models)
     * @param labels   one class per row (class models; may be null for text models)
     * @param drop     rows to replace by the null condition, or null for none
     */
    Conditioning encode(List<String> captions, int[] labels, boolean[] drop);

    /** {@code n} rows of the null condition (or of a negative prompt, where supported). */
    Conditioning nullCondition(int n);

    /** A short description for logs and provenance (e.g. which text encoder). */
    String description();
}
