/**
 * The rectified-flow objective that the DiT is trained with: x_t = (1 - t)·x0 + t·x1 with
 * x1 ~ N(0, I), and the model regresses the velocity x1 - x0 under a mean squared error.
 * {@link dev.t2i.flow.FlowMatching} computes it on the host, stateless, so that tests pin the
 * convention down, and attaches the same loss to a model's graph for training;
 * {@link dev.t2i.flow.TimeSampling} says how training draws each image's time t. The loss lives
 * here rather than in {@code dev.t2i.dit} so that the model stays one function, v(x, t, condition),
 * for the trainer and the samplers alike.
 *
 * <p>Uses: dev.t2i, dev.t2i.random, ND4J and SameDiff, and Jackson (for the time-sampling names in
 * presets); nothing above the models layer.
 */
package dev.t2i.flow;
