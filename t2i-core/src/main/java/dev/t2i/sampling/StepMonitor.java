package dev.t2i.sampling;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Watches an integration step by step: for progress reports, previews and cancellation. Called on
 * the sampling thread once per step, when the step's velocity is known and before it is applied;
 * throwing {@link java.util.concurrent.CancellationException}
 * stops the integration there (the samplers free what they hold and pass it on).
 */
@FunctionalInterface
public interface StepMonitor {
    /** Watches nothing. */
    StepMonitor NONE = (step, total, t, x, v) -> { };

    /**
     * Step {@code step} is about to be applied: its velocity is known.
     *
     * @param step  the step, 1 to {@code total}
     * @param total steps of the whole integration
     * @param t     the time the step started from
     * @param x     the state before the step (read only, valid during the call)
     * @param v     the velocity the step used at {@code (x, t)} (read only, valid during the call), so
     *              {@code x - t·v} is the current estimate of the clean images
     */
    void onStep(int step, int total, double t, INDArray x, INDArray v);

    /** The clean-image estimate x − t·v of a step, as a new array the caller owns. */
    static INDArray cleanEstimate(INDArray x, double t, INDArray v) {
        return v.mul(-t).addi(x);
    }
}
