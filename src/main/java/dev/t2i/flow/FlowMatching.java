package dev.t2i.flow;

import dev.t2i.nn.Gaussian;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The rectified-flow objective of the reference: x_t = (1 - t)·x0 + t·x1 with x1 ~ N(0, I),
 * target velocity x1 - x0, t = 1 pure noise. Host-side and stateless so tests can pin it down.
 */
public final class FlowMatching {
    private FlowMatching() {
    }

    /** A training example batch: the noisy input, its times and the velocity to regress. */
    public record Example(INDArray xt, INDArray t, INDArray target) {
    }

    /** Builds x_t and the target from clean images x0 [B,...], noise x1 of the same shape and t [B]. */
    public static Example interpolate(INDArray x0, INDArray x1, INDArray t) {
        long b = x0.size(0);
        long[] bshape = new long[x0.rank()];
        java.util.Arrays.fill(bshape, 1);
        bshape[0] = b;
        INDArray tb = t.reshape(bshape);
        INDArray xt = x0.mul(tb.rsub(1.0)).addi(x1.mul(tb));
        return new Example(xt, t, x1.sub(x0));
    }

    /** Draws B times: U(0, 1), or logit-normal (sigmoid of N(0, 1)) which favours the middle. */
    public static INDArray sampleTimes(SplittableRandom rng, int b, String mode) {
        float[] t = new float[b];
        for (int i = 0; i < b; i++) {
            t[i] = (float) ("logit-normal".equals(mode) ? 1.0 / (1.0 + Math.exp(-Gaussian.next(rng))) : rng.nextDouble());
        }
        return Nd4j.createFromArray(t);
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
        return new SplittableRandom(dev.t2i.data.Seeds.mix(seed, 3, k));
    }
}
