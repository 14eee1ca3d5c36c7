package dev.t2i.sampling;

import dev.t2i.conditioning.Conditioning;
import dev.t2i.dit.DitModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Classifier-free guidance v = v_u + w·(v_c - v_u), with the conditional and unconditional
 * passes run as one batch of 2B per step (the reference runs them one after the other).
 * With w = 1 only the conditional pass is needed and only it runs.
 */
public final class GuidedVelocity implements VelocityField {
    private final DitModel model;
    private final Conditioning both;
    private final Conditioning condOnly;
    private final double scale;
    private final long batch;

    /**
     * @param cond   conditioning of the B images
     * @param uncond null (or negative-prompt) conditioning of the same B images
     * @param scale  guidance scale w
     */
    public GuidedVelocity(DitModel model, Conditioning cond, Conditioning uncond, double scale) {
        this.model = model;
        this.condOnly = cond;
        this.both = cond.concat(uncond);
        this.scale = scale;
        this.batch = cond.batch();
    }

    @Override
    public INDArray velocity(INDArray x, double t) {
        long b = x.size(0);
        if (scale == 1.0 || batch < 0) {
            return model.velocity(x, Nd4j.valueArrayOf(b, (float) t), condOnly.context(), condOnly.mask(),
                    condOnly.labels());
        }
        INDArray x2 = Nd4j.concat(0, x, x);
        INDArray v = model.velocity(x2, Nd4j.valueArrayOf(2 * b, (float) t), both.context(), both.mask(),
                both.labels());
        INDArray vc = v.get(NDArrayIndex.interval(0, b));
        INDArray vu = v.get(NDArrayIndex.interval(b, 2 * b));
        return vu.add(vc.sub(vu).muli(scale));
    }
}
