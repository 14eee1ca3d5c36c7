package dev.t2i.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lookahead as the fast CIFAR-10 trainers use it: every few steps a slow copy of the parameters
 * moves toward the trained ones, {@code slow = d·slow + (1−d)·params}, and training goes on from
 * the slow copy. The decay {@code d} grows with the cube of training progress (airbench:
 * 0.95⁵·p³ every 5 steps), so early training is untouched and the last steps average over more and
 * more of the trajectory, which is what the high rate's last epochs need; at the end the network
 * keeps the slow copy.
 *
 * <p>It works on the whole flattened parameter vector of a DL4J network, batch norm's running
 * statistics included, as airbench's works on every float tensor of the network's state.
 */
final class Lookahead {
    /** Steps between updates. */
    static final int EVERY = 5;
    private static final double MAX_DECAY = Math.pow(0.95, EVERY);

    private final INDArray slow;

    /** Starts the slow copy at {@code params} (the network's flattened parameters, which it updates in place). */
    Lookahead(INDArray params) {
        this.slow = params.dup();
    }

    /** The decay at training progress {@code p} (0 to 1). */
    static double decayAt(double p) {
        double q = Math.min(1, Math.max(0, p));
        return MAX_DECAY * q * q * q;
    }

    /** Moves the slow copy toward {@code params} with decay {@code decay}, then sets {@code params} to it. */
    void update(INDArray params, double decay) {
        slow.muli(decay).addi(params.mul(1 - decay));
        params.assign(slow);
    }

    /** Sets {@code params} to the slow copy (the end of training). */
    void finish(INDArray params) {
        params.assign(slow);
    }
}
