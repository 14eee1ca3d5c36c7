package dev.t2i.sampling;

import dev.t2i.runtime.NativeArrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Guidance by a weaker model (autoguidance, Karras et al. 2024, "Guiding a diffusion model with a
 * bad version of itself"): v = v_g + w·(v − v_g), where v is the model's own (possibly
 * classifier-free guided) velocity and v_g the conditional velocity of the guide, an earlier
 * snapshot of the same training run. The guide errs where the model errs, only more, so the
 * extrapolation pushes samples away from the errors both make; unlike classifier-free guidance it
 * does not pull every sample of a prompt towards one picture. With w = 1 it is the model alone.
 * The two fields stay their creator's to close.
 */
public final class AutoGuidedVelocity implements VelocityField {
    private final VelocityField model;
    private final VelocityField guide;
    private final double scale;

    /**
     * @param model the model's velocity (classifier-free guidance included)
     * @param guide the guide model's conditional velocity for the same prompts
     * @param scale w; 1 returns the model's velocity
     */
    public AutoGuidedVelocity(VelocityField model, VelocityField guide, double scale) {
        this.model = model;
        this.guide = guide;
        this.scale = scale;
    }

    @Override
    public INDArray velocity(INDArray x, double t) {
        INDArray v = model.velocity(x, t);
        INDArray g = guide.velocity(x, t);
        // v_g + w·(v − v_g), computed in place in v's own buffer: w·v − (w − 1)·v_g
        v.muli(scale).subi(g.muli(scale - 1.0));
        NativeArrays.closeAll(List.of(g));
        return v;
    }
}
