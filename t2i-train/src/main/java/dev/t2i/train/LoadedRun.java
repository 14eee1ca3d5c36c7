package dev.t2i.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.t2i.T2iException;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.ClassConditioner;
import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.conditioning.TrainingCaptions;
import dev.t2i.conditioning.Unconditioned;
import dev.t2i.config.Preset;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitNetwork;
import dev.t2i.io.ModelArchive;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A training run loaded to sample from: its folder (the newest checkpoint), one of its
 * checkpoint files or a bare model file, read into a DiT with the EMA weights in place when the
 * run kept them, plus the text-encoder spec and sampling defaults the run recorded. The
 * {@link TrainingRun} writes it; the {@code sample}, {@code bundle}, {@code forward} and {@code info}
 * commands read it.
 *
 * @param model    the DiT (EMA weights when present)
 * @param clipSpec how the run's text encoder is rebuilt ({@code random:SEED} or a path), or null
 * @param state    the run state of the checkpoint, or null for a bare model file
 * @param usedEma  whether EMA weights were loaded
 * @param sample   the run's sampling defaults (the reference's where it recorded none)
 * @param guide    the run's guide model for autoguidance ({@code guide.t2i}, EMA weights), or null
 *                 where it was not asked for, the run kept none or it is not earlier than the loaded
 *                 checkpoint
 */
public record LoadedRun(DitNetwork model, String clipSpec, RunState state, boolean usedEma,
        Preset.SampleDefaults sample, DitNetwork guide) {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LoadedRun.class);

    /** Which weights of a run to sample with. */
    public enum Weights {
        /** The moving average where the run kept one, else the live weights (the default). */
        EMA,
        /** The optimiser's current weights. */
        LIVE;

        /** {@code ema} or {@code live}. */
        public static Weights parse(String name) {
            return switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "ema" -> EMA;
                case "live" -> LIVE;
                default -> throw new T2iException("unknown weights '" + name + "' (use ema or live)");
            };
        }
    }

    /** Loads a run folder, a checkpoint file or a model file written by {@link DitNetwork#save}, with EMA weights. */
    public static LoadedRun load(Path path) {
        return load(path, Weights.EMA);
    }

    /**
     * Loads a run folder, a checkpoint file or a model file, with the chosen weights and without the
     * run's guide model (for looking at or running the model itself).
     */
    public static LoadedRun load(Path path, Weights weights) {
        return load(path, weights, false);
    }

    /**
     * Loads a run folder, a checkpoint file or a model file, with the chosen weights and, where
     * {@code withGuide}, the run's guide model: to sample with the run's defaults, which fall back
     * to no autoguidance, with a warning, where the run has no guide model before this checkpoint.
     */
    public static LoadedRun load(Path path, Weights weights, boolean withGuide) {
        if (!Files.exists(path)) {
            throw new T2iException("model not found: " + path + " (pass a run folder from 't2i train' or a .t2i file)");
        }
        Checkpoint c = Checkpoint.read(path);
        boolean ema = weights == Weights.EMA && c.ema() != null;
        if (ema) {
            c.model().setWeights(c.ema());
        }
        RunState state = c.state();
        Preset.SampleDefaults sample = state != null && state.sample() != null ? state.sample() : runJsonDefaults(path);
        DitNetwork guide = withGuide ? guide(path, state) : null;
        if (withGuide && guide == null && sample.guideScale() != 1.0) {
            LOG.warn("the run samples with autoguidance (guide_scale {}) but {} has no guide model before it:"
                    + " sampling without", sample.guideScale(), path);
            sample = new Preset.SampleDefaults(sample.steps(), sample.cfg(), sample.sampler(), sample.cfgInterval());
        }
        return new LoadedRun(c.model(), state == null ? null : state.clip(), state, ema, sample, guide);
    }

    /**
     * The guide model of the run that {@code modelPath} belongs to, with its EMA weights; null where
     * the run kept none, or where it is not earlier than the loaded checkpoint (a guide no weaker
     * than the model would steer towards the model's errors: a warning says so).
     */
    private static DitNetwork guide(Path modelPath, RunState state) {
        Path runDir = runDir(modelPath);
        Path file = runDir == null ? null : runDir.resolve(Checkpoint.GUIDE);
        if (file == null || !Files.isRegularFile(file) || file.toAbsolutePath().equals(modelPath.toAbsolutePath())) {
            return null;
        }
        Checkpoint g;
        try {
            g = Checkpoint.read(file);
        } catch (T2iException e) {
            LOG.warn("the run's guide model {} cannot be read ({}): sampling without it", file, e.getMessage());
            return null;
        }
        if (state != null && g.state() != null && g.state().step() >= state.step()) {
            LOG.warn("the run's guide model {} is from step {}, not before this checkpoint's step {}: it cannot"
                    + " guide it", file, g.state().step(), state.step());
            g.model().release();
            return null;
        }
        if (g.ema() != null) {
            g.model().setWeights(g.ema());
        }
        return g.model();
    }

    /** The run folder of a run folder or of a checkpoint one folder down in it; else null. */
    private static Path runDir(Path modelPath) {
        if (Files.isDirectory(modelPath)) {
            return modelPath;
        }
        Path parent = modelPath.toAbsolutePath().getParent();
        return parent == null ? null : parent.getParent();
    }

    /**
     * The sampling defaults recorded in the run's run.json (runs whose checkpoints predate
     * recording them), else the reference's.
     */
    private static Preset.SampleDefaults runJsonDefaults(Path modelPath) {
        JsonNode sample = runJson(modelPath).path("sample");
        if (sample.isObject()) {
            try {
                return ModelArchive.JSON.treeToValue(sample, Preset.SampleDefaults.class);
            } catch (IOException | RuntimeException e) {
                // run.json is provenance only; the reference defaults are a fine fallback
            }
        }
        return Preset.SampleDefaults.REFERENCE;
    }

    /**
     * The class names a run recorded in its run.json ({@code class_names}), for a run folder or a
     * checkpoint inside one; null when there are none (text models, runs made before they were
     * recorded, a bare checkpoint).
     */
    public static List<String> recordedClassNames(Path modelPath) {
        return textList(runJson(modelPath).path("class_names"));
    }

    /**
     * The distinct captions a text run recorded in its run.json ({@code captions}), for a run folder
     * or a checkpoint inside one; null when there are none (runs made before they were recorded,
     * data with more than {@value TrainingCaptions#MAX_RECORDED} captions, a bare checkpoint).
     */
    public static List<String> recordedCaptions(Path modelPath) {
        return textList(runJson(modelPath).path("captions"));
    }

    private static List<String> textList(JsonNode node) {
        if (!node.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The run.json beside a run folder or a checkpoint inside one; an empty node where there is none. */
    private static JsonNode runJson(Path modelPath) {
        Path runDir = runDir(modelPath);
        Path file = runDir == null ? null : runDir.resolve("run.json");
        if (file != null && Files.isRegularFile(file)) {
            try {
                return ModelArchive.JSON.readTree(file.toFile());
            } catch (IOException e) {
                // provenance only: unreadable is as good as absent
            }
        }
        return MissingNode.getInstance();
    }

    /** The run's sampling settings for a seed, one image per prompt. */
    public SamplingOptions defaultOptions(long seed) {
        return sample.options(seed);
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
