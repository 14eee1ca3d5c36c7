package dev.t2i.flow;

import dev.t2i.random.Gaussian;
import dev.t2i.random.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The rectified-flow objective of the reference, whole: x_t = (1 - t)·x0 + t·x1 with x1 ~ N(0, I)
 * and t = 1 pure noise; the model regresses the velocity x1 - x0 under a mean squared error. The
 * host side is stateless so that tests pin it down; {@link #attachLoss} adds the same loss to a
 * model's graph for training.
 */
public final class FlowMatching {
    /** Name of the regression target placeholder in a training graph. */
    public static final String TARGET = "target";
    /** Name of the scalar loss in a training graph. */
    public static final String LOSS = "loss";

    private FlowMatching() {
    }

    /**
     * A training example batch.
     *
     * @param xt     the noisy input (1 - t)·x0 + t·x1
     * @param t      the times [B]
     * @param target the velocity to regress, x1 - x0
     */
    public record Example(INDArray xt, INDArray t, INDArray target) {
    }

    /**
     * Draws the times, then the noise, for clean images x0 [B, ...] from one stream, and builds
     * the example: a step's whole randomness is a function of its stream.
     */
    public static Example draw(SplittableRandom rng, INDArray x0, TimeSampling times) {
        INDArray t = times.draw(rng, Math.toIntExact(x0.size(0)));
        INDArray x1 = noise(rng, x0.shape());
        try {
            return interpolate(x0, x1, t);
        } finally {
            x1.close();
        }
    }

    /** Builds x_t and the target from clean images x0 [B,...], noise x1 of the same shape and t [B]. */
    public static Example interpolate(INDArray x0, INDArray x1, INDArray t) {
        long[] perImage = new long[x0.rank()];
        Arrays.fill(perImage, 1);
        perImage[0] = x0.size(0);
        INDArray tb = t.reshape(perImage);
        INDArray xt = x0.mul(tb.rsub(1.0)).addi(x1.mul(tb));
        return new Example(xt, t, x1.sub(x0));
    }

    /** The loss of a predicted velocity: mean squared error to the target over every value. */
    public static double loss(INDArray velocity, INDArray target) {
        return velocity.squaredDistance(target) / velocity.length();
    }

    /**
     * Adds {@value #TARGET} (shaped like the output {@code velocity}) and the scalar {@value #LOSS}
     * to a model's graph and makes it the graph's loss; a graph that has them (a checkpoint's)
     * is left as it is.
     *
     * @param shape the velocity's shape, -1 for the batch
     */
    public static void attachLoss(SameDiff sd, String velocity, long... shape) {
        attachLoss(sd, velocity, UnaryOperator.identity(), shape);
    }

    /**
     * As {@link #attachLoss(SameDiff, String, long...)} for a graph that predicts part of the
     * velocity: {@code view} maps the whole target (placeholder of {@code shape}) to the values
     * the output {@code velocity} predicts, e.g. the kept tokens of a token-dropping graph.
     */
    public static void attachLoss(SameDiff sd, String velocity, UnaryOperator<SDVariable> view, long... shape) {
        if (sd.hasVariable(LOSS)) {
            return;
        }
        SDVariable v = sd.getVariable(velocity);
        SDVariable target = view.apply(sd.placeHolder(TARGET, v.dataType(), shape));
        sd.identity(LOSS, sd.math.square(v.sub(target)).mean());
        sd.setLossVariables(LOSS);
    }

    /** Standard normal noise of the given shape from a seeded stream (same values on every backend). */
    public static INDArray noise(SplittableRandom rng, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = Gaussian.fill(rng, new float[Math.toIntExact(n)], 1.0);
        return Nd4j.create(v, shape, 'c');
    }

    /**
     * A noise stream that is a pure function of (seed, k); sampling gives image k of a request
     * the stream (seed + k, 0).
     */
    public static SplittableRandom imageRandom(long seed, long k) {
        return new SplittableRandom(Seeds.mix(seed, 3, k));
    }
}
