package dev.t2i.nn;

/**
 * What a graph is built for: whether its parameters are trained, which {@link ParamSpec} records.
 * The layers build the same graph in both modes.
 */
public enum GraphMode {
    /** Trained parameters, forward and backward passes (the DiT). */
    TRAIN,
    /** Frozen parameters (CLIP) or a forward-only graph (the DiT's cached-text sampling trunk). */
    INFER
}
