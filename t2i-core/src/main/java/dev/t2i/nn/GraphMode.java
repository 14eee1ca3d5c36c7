package dev.t2i.nn;

/**
 * What a graph is built for. The layers compute the same function in both modes; a training
 * graph also runs backwards, and ND4J 1.0.0-M2.1 computes some gradients far faster in one
 * algebraically equal form than in another, so the speed-specific forms are chosen here, once
 * per graph, and nowhere else. See {@link Linear#affine} for the one that depends on the mode.
 */
public enum GraphMode {
    /**
     * Trained parameters, forward and backward passes: wide layers fold their bias into the
     * matrix product, so the bias gradient comes out of the weight-gradient GEMM.
     */
    TRAIN,
    /** Frozen parameters (CLIP) or a forward-only graph (the DiT's cached-text sampling trunk): plain forms. */
    INFER
}
