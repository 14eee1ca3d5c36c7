package dev.t2i.flow;

import dev.t2i.T2iException;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.ClassConditioner;
import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.conditioning.Unconditioned;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitModel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A DiT ready to sample from: loaded from a run folder (its newest checkpoint) or a checkpoint
 * file, with the EMA weights in place when the run kept them, and the text-encoder spec the run
 * was trained with.
 *
 * @param model    the DiT (EMA weights when present)
 * @param clipSpec how the run's text encoder is rebuilt ({@code random:SEED} or a path), or null
 * @param state    the run state of the checkpoint, or null for a bare model file
 * @param usedEma  whether EMA weights were loaded
 */
public record TrainedModel(DitModel model, String clipSpec, RunState state, boolean usedEma) {

    /** Loads a run folder, a checkpoint file or a model file written by {@link DitModel#save}. */
    public static TrainedModel load(Path path) {
        if (!Files.exists(path)) {
            throw new T2iException("model not found: " + path + " (pass a run folder from 't2i train' or a .t2i file)");
        }
        Checkpoint c = Checkpoint.read(path);
        boolean ema = c.ema() != null;
        if (ema) {
            c.model().setWeights(c.ema());
        }
        return new TrainedModel(c.model(), c.state() == null ? null : c.state().clip(), c.state(), ema);
    }

    /**
     * The conditioner this model needs: CLIP for a text model ({@code clipOverride} or the run's
     * own spec), labels for a class model, nothing otherwise.
     */
    public Conditioner conditioner(String clipOverride) {
        DitConfig cfg = model.config();
        if (cfg.isClass()) {
            return new ClassConditioner(cfg.numClasses());
        }
        if (!cfg.isText()) {
            return new Unconditioned();
        }
        String spec = clipOverride != null ? clipOverride : clipSpec;
        if (spec == null) {
            throw new T2iException("this model does not record its text encoder; pass --clip PATH");
        }
        ClipTextEncoder clip = ClipTextEncoder.load(spec);
        if (clip.config().width() != cfg.contextDim()) {
            throw new T2iException("the text encoder " + spec + " is " + clip.config().width()
                    + " wide but the DiT expects context_dim " + cfg.contextDim() + " (use the CLIP it was trained with)");
        }
        return new TextConditioner(clip, cfg.contextLen());
    }
}
