package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.ClassConditioner;
import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.conditioning.Unconditioned;
import dev.t2i.data.CaptionedImages;
import dev.t2i.dit.DitConfig;
import dev.t2i.flow.Checkpoint;
import dev.t2i.flow.MetricsLog;
import dev.t2i.flow.Trainer;
import dev.t2i.image.ImageGrid;
import dev.t2i.image.Images;
import dev.t2i.image.LinePlot;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SamplingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code train} and {@code demo} share: conditioner choice, figures, run-folder files. */
final class TrainSetup {
    private static final Logger LOG = LoggerFactory.getLogger("t2i");

    private TrainSetup() {
    }

    /** The model config adjusted to the data (classes) and text encoder (width). */
    static DitConfig adapt(DitConfig cfg, CaptionedImages data, ClipTextEncoder clip) {
        if (data.height() != cfg.imgSize() || data.width() != cfg.imgSize()) {
            throw new T2iException("the data's images are " + data.width() + "x" + data.height()
                    + " but the model expects " + cfg.imgSize() + "x" + cfg.imgSize() + " (pick a preset or config with"
                    + " img_size " + data.width() + ")");
        }
        if (cfg.isClass()) {
            if (!data.hasLabels()) {
                throw new T2iException("the class-conditional model needs a data set with classes (" + data.source() + ")");
            }
            return cfg.withNumClasses(data.classNames().size());
        }
        if (cfg.isText() && clip != null && clip.config().width() != cfg.contextDim()) {
            LOG.info("context_dim set to {} to match the text encoder", clip.config().width());
            return cfg.withContextDim(clip.config().width());
        }
        return cfg;
    }

    /**
     * The newest checkpoint of {@code runDir} when resuming, else null; without {@code resume}
     * a folder that already has checkpoints is refused rather than overwritten.
     */
    static Checkpoint resumeOrRefuse(Path runDir, boolean resume) {
        if (resume) {
            if (!Files.isDirectory(runDir.resolve("checkpoints")) && !Files.isRegularFile(runDir)) {
                // without this, the checkpoint reader takes the missing folder for a file and says
                // "model file not found", which hides that --out names no run
                throw new T2iException("there is no run to resume in " + runDir + " (no checkpoints/ folder); drop"
                        + " --resume to start a new run there, or point --out at the run folder to continue");
            }
            Checkpoint c = Checkpoint.read(runDir);
            if (c.state() == null) {
                throw new T2iException(runDir + " holds a model without its training state (no state.json):"
                        + " it can be sampled or bundled but not resumed; start a new run with another --out");
            }
            return c;
        }
        if (Files.isDirectory(runDir.resolve("checkpoints"))) {
            throw new T2iException("run folder " + runDir + " already has checkpoints; pass --resume to continue it or"
                    + " --out for a new folder");
        }
        return null;
    }

    /** The CLIP a run uses: {@code --clip}, else the one a resumed run recorded, else the seeded random tower. */
    static String clipSpec(CommandLine cmd, Checkpoint resumed) {
        return resumed != null && resumed.state().clip() != null && !cmd.hasOption("clip")
                ? resumed.state().clip() : cmd.getOptionValue("clip", "random");
    }

    /** Puts a resumed run's state into {@code trainer} and says so; nothing for a new run. */
    static void restore(Trainer trainer, Checkpoint resumed, Path runDir) {
        if (resumed != null) {
            trainer.restore(resumed);
            System.err.println("resuming " + runDir + " at step " + trainer.step() + " of " + trainer.totalSteps());
        }
    }

    /** The recipe with the command line's --sample-every, --checkpoint-every and --time-limit, where given. */
    static dev.t2i.flow.TrainConfig intervalsAndBudget(CommandLine cmd, dev.t2i.flow.TrainConfig train) {
        dev.t2i.flow.TrainConfig t = train.withIntervals(train.logEvery(),
                Args.intValue(cmd, "checkpoint-every", train.checkpointEvery()),
                Args.intValue(cmd, "sample-every", train.sampleEvery()));
        return (cmd.hasOption("time-limit") ? t.withTimeLimit(cmd.getOptionValue("time-limit")) : t).validate();
    }

    /** The sampling defaults a run records: those it recorded before when resumed, else its preset's. */
    static dev.t2i.flow.Preset.SampleDefaults sampleDefaults(dev.t2i.flow.Preset preset, Checkpoint resumed) {
        return resumed != null && resumed.state().sample() != null ? resumed.state().sample() : preset.sample();
    }

    /**
     * Runs the trainer to its end. Ctrl-C (or a kill) asks it to stop after the current step; the
     * checkpoint it then writes is named before the process exits. An error removes the hook first,
     * so nothing claims a checkpoint is being written when none will be.
     */
    static void runUntilDoneOrStopped(Trainer trainer) {
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.requestStop();
            System.err.println("\nstopping: writing a checkpoint after the current step...");
            try {
                if (finished.await(120, java.util.concurrent.TimeUnit.SECONDS) && trainer.lastCheckpoint() != null) {
                    System.err.println("stopped at step " + trainer.step() + "; checkpoint " + trainer.lastCheckpoint()
                            + " (continue with --resume)");
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            trainer.run(Long.MAX_VALUE);
        } catch (RuntimeException | Error e) {
            removeHook(hook);
            throw e;
        } finally {
            finished.countDown();
        }
        removeHook(hook);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook is running and waits for the trainer
        }
    }

    /** Loads the text encoder for a text model, announcing a random one as such. */
    static ClipTextEncoder clip(DitConfig cfg, String spec) {
        if (!cfg.isText()) {
            return null;
        }
        ClipTextEncoder clip = ClipTextEncoder.load(spec);
        if (clip.isRandom()) {
            System.err.println("note: using a seeded, UNTRAINED CLIP text tower of the real shape (--clip " + spec
                    + "); point --clip at real CLIP weights (tools/download-clip.sh) for real text understanding");
        }
        return clip;
    }

    /** Most distinct captions a data set may have for them all to be encoded before training starts. */
    private static final int MAX_ENCODED_UP_FRONT = 1024;

    /**
     * The conditioner for a training run. With text and a data set of at most
     * {@value #MAX_ENCODED_UP_FRONT} distinct captions, all of them are encoded before the first step
     * and CLIP's weights are freed; a text outside them (the demo's held-out prompts, say) loads
     * CLIP again from {@code clipSpec}.
     */
    static Conditioner trainingConditioner(DitConfig cfg, ClipTextEncoder clip, String clipSpec,
            CaptionedImages data) {
        Conditioner conditioner = conditioner(cfg, clip);
        if (conditioner instanceof TextConditioner text) {
            List<String> captions = data.captions().stream().distinct().limit(MAX_ENCODED_UP_FRONT + 1).toList();
            if (captions.size() <= MAX_ENCODED_UP_FRONT) {
                text.encodeAllAndRelease(captions, () -> ClipTextEncoder.load(clipSpec));
            }
        }
        return conditioner;
    }

    static Conditioner conditioner(DitConfig cfg, ClipTextEncoder clip) {
        if (cfg.isText()) {
            return new TextConditioner(clip, cfg.contextLen());
        }
        return cfg.isClass() ? new ClassConditioner(cfg.numClasses()) : new Unconditioned();
    }

    /** Writes {@code loss.png} from the run's metrics.csv. */
    static Path lossCurve(Path runDir) {
        List<MetricsLog.Row> rows = MetricsLog.read(runDir.resolve("metrics.csv"));
        double[] x = rows.stream().mapToDouble(MetricsLog.Row::step).toArray();
        double[] y = rows.stream().mapToDouble(MetricsLog.Row::loss).toArray();
        Path png = runDir.resolve("loss.png");
        if (x.length > 0) {
            LinePlot.write(png, x, y, "training loss (flow matching MSE)", "step", "loss");
        }
        return png;
    }

    /** Samples the prompts (or labels, captioned by number) and writes a captioned grid. */
    static INDArray sampleGrid(ImageGenerator gen, List<String> prompts, int[] labels, SamplingOptions opts, Path png,
            int columns) {
        return sampleGrid(gen, prompts, labels, null, opts, png, columns);
    }

    /**
     * Samples the prompts (or labels) and writes a captioned grid.
     *
     * @param classNames the data set's class names in label order, for the captions of labels, or null
     */
    static INDArray sampleGrid(ImageGenerator gen, List<String> prompts, int[] labels, List<String> classNames,
            SamplingOptions opts, Path png, int columns) {
        INDArray images = gen.generate(prompts, labels, opts);
        List<String> captions = new java.util.ArrayList<>();
        int count = labels != null ? labels.length : prompts.size();
        for (int p = 0; p < count; p++) {
            for (int k = 0; k < opts.imagesPerPrompt(); k++) {
                captions.add(prompts != null ? prompts.get(p) : className(labels[p], classNames));
            }
        }
        ImageGrid.write(png, Images.toBufferedImages(images), captions, columns, scale(gen.model().config().imgSize()));
        return images;
    }

    /** A label's caption: its class name where the names are known, else {@code class N}. */
    static String className(int label, List<String> classNames) {
        return classNames != null && label >= 0 && label < classNames.size() ? classNames.get(label)
                : "class " + label;
    }

    /**
     * The class names a run recorded in its run.json ({@code class_names}), for a run folder or a
     * checkpoint inside one; null when there are none (text models, runs made before they were
     * recorded, a bare checkpoint).
     */
    static List<String> recordedClassNames(Path modelPath) {
        Path runDir = Files.isDirectory(modelPath) ? modelPath
                : modelPath.toAbsolutePath().getParent() == null ? null
                : modelPath.toAbsolutePath().getParent().getParent();
        Path runJson = runDir == null ? null : runDir.resolve("run.json");
        if (runJson == null || !Files.isRegularFile(runJson)) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode names = dev.t2i.io.ModelArchive.JSON.readTree(runJson.toFile())
                    .path("class_names");
            if (!names.isArray()) {
                return null;
            }
            List<String> out = new java.util.ArrayList<>();
            names.forEach(n -> out.add(n.asText()));
            return out;
        } catch (java.io.IOException e) {
            return null; // run.json is provenance only; numbered captions are a fine fallback
        }
    }

    static int scale(int imgSize) {
        return Math.max(1, 96 / imgSize);
    }

    /** Writes run.json: how this run was made (configs, data, encoder, versions). */
    static void provenance(Path runDir, Map<String, Object> fields) {
        try {
            Files.createDirectories(runDir);
            Map<String, Object> all = new java.util.LinkedHashMap<>(fields);
            all.put("t2i_version", dev.t2i.Version.current());
            all.put("nd4j_version", "1.0.0-M2.1");
            all.put("java_version", System.getProperty("java.version"));
            all.put("backend", org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName());
            all.put("created", java.time.Instant.now().toString());
            dev.t2i.io.ModelArchive.JSON.writeValue(runDir.resolve("run.json").toFile(), all);
        } catch (java.io.IOException e) {
            throw new T2iException("cannot write " + runDir.resolve("run.json") + ": " + e.getMessage());
        }
    }
}
