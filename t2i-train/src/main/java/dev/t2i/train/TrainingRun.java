package dev.t2i.train;

import dev.t2i.T2iException;
import dev.t2i.Version;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.ClassConditioner;
import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.conditioning.TrainingCaptions;
import dev.t2i.conditioning.Unconditioned;
import dev.t2i.config.Preset;
import dev.t2i.config.TrainConfig;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.dit.TextCentering;
import dev.t2i.image.LinePlot;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SampleGrids;
import dev.t2i.sampling.SamplingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training run as a Java application starts it: a preset, a data source and a run folder in,
 * a trained DiT with checkpoints, {@code metrics.csv}, {@code run.json}, {@code loss.png} and
 * sample grids out. The command line's {@code train} and {@code demo} are thin clients of it.
 *
 * <pre>{@code
 * TrainingRun run = TrainingRun.builder(Path.of("runs/cifar"))
 *         .preset(Preset.named("cifar-cpu"))
 *         .data(options -> DatasetLoader.open("cifar10-jpg.zip", options))
 *         .build();
 * run.train();
 * }</pre>
 *
 * <p>{@link Builder#build()} does everything that can fail on bad input before the first step:
 * it refuses a folder that already holds a run (unless resuming), reads the checkpoint to resume,
 * loads the data at the model's image size, the text encoder, and builds or restores the model.
 */
public final class TrainingRun {
    private static final Logger LOG = LoggerFactory.getLogger("t2i");
    /** Most distinct captions a data set may have for them all to be encoded before training starts. */
    private static final int MAX_ENCODED_UP_FRONT = 1024;
    /** How many distinct captions a text centring is fitted to, at most. */
    private static final int MAX_CENTERING_CAPTIONS = 1024;
    /** Prompts (or classes) in each sample grid written during training. */
    private static final int GRID_ROWS = 10;

    private final Path runDir;
    private final DitNetwork model;
    private final CaptionedImages data;
    private final Conditioner conditioner;
    private final Trainer trainer;
    private final String clipSpec;
    private final Preset.SampleDefaults sampleDefaults;
    private final boolean resumed;

    private TrainingRun(Path runDir, DitNetwork model, CaptionedImages data, Conditioner conditioner, Trainer trainer,
            String clipSpec, Preset.SampleDefaults sampleDefaults, boolean resumed) {
        this.runDir = runDir;
        this.model = model;
        this.data = data;
        this.conditioner = conditioner;
        this.trainer = trainer;
        this.clipSpec = clipSpec;
        this.sampleDefaults = sampleDefaults;
        this.resumed = resumed;
    }

    /** A builder for a run in {@code runDir} (created if needed). */
    public static Builder builder(Path runDir) {
        return new Builder(runDir);
    }

    /**
     * Trains until the run's last step, its time budget or {@link #requestStop()}, writing
     * checkpoints, metrics and sample grids on the way, then the loss curve. Returns the loss of
     * every step this call ran (none for a finished run).
     */
    public List<Double> train() {
        List<Double> losses = trainer.run(Long.MAX_VALUE);
        lossCurve();
        return losses;
    }

    /** Asks {@link #train()} to write a checkpoint and return after the current step (thread-safe). */
    public void requestStop() {
        trainer.requestStop();
    }

    /** Writes {@code loss.png} from the run's {@code metrics.csv}; returns its path. */
    public Path lossCurve() {
        List<MetricsLog.Row> rows = MetricsLog.read(runDir.resolve("metrics.csv"));
        Path png = runDir.resolve("loss.png");
        if (!rows.isEmpty()) {
            LinePlot.write(png, rows.stream().mapToDouble(MetricsLog.Row::step).toArray(),
                    rows.stream().mapToDouble(MetricsLog.Row::loss).toArray(), "training loss (flow matching MSE)",
                    "step", "loss");
        }
        return png;
    }

    /**
     * Runs {@code body} with the EMA weights in the model where the run keeps them (what
     * {@code sample} and {@code bundle} use by default), then puts the live weights back.
     */
    public void withEmaWeights(Runnable body) {
        Map<String, INDArray> ema = trainer.emaWeights();
        if (ema == null) {
            body.run();
            return;
        }
        Map<String, INDArray> live = new LinkedHashMap<>();
        ema.keySet().forEach(k -> live.put(k, model.graph().getArrForVarName(k).dup()));
        model.setWeights(ema);
        try {
            body.run();
        } finally {
            model.setWeights(live);
        }
    }

    /** A generator over the model being trained, with the run's conditioner. */
    public ImageGenerator generator() {
        return new ImageGenerator(model, conditioner);
    }

    /** The sampling settings the run records for {@code sample} and {@code bundle}. */
    public Preset.SampleDefaults sampleDefaults() {
        return sampleDefaults;
    }

    public Path runDir() {
        return runDir;
    }

    public DitNetwork model() {
        return model;
    }

    public CaptionedImages data() {
        return data;
    }

    public Conditioner conditioner() {
        return conditioner;
    }

    /** The training loop, for its step count, checkpoints and EMA weights. */
    public Trainer trainer() {
        return trainer;
    }

    /** The text encoder spec the run conditions on, or null for a model without text. */
    public String clipSpec() {
        return clipSpec;
    }

    /** Whether this run continues one that was checkpointed. */
    public boolean resumed() {
        return resumed;
    }

    /** The DiT config adjusted to the data (number of classes) and the text encoder (width). */
    public static DitConfig adapt(DitConfig cfg, CaptionedImages data, ClipTextEncoder clip) {
        if (data.height() != cfg.imgSize() || data.width() != cfg.imgSize()) {
            throw new T2iException("the data's images are " + data.width() + "x" + data.height()
                    + " but the model expects " + cfg.imgSize() + "x" + cfg.imgSize() + " (pick a preset or config with"
                    + " img_size " + data.width() + ")");
        }
        if (cfg.isClass()) {
            if (!data.hasLabels()) {
                throw new T2iException("the class-conditional model needs a data set with classes (" + data.source()
                        + ")");
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
     * The conditioner for training on {@code data}. With text and at most
     * {@value #MAX_ENCODED_UP_FRONT} distinct captions, all of them are encoded before the first
     * step and CLIP's weights are freed; a text outside them (held-out prompts) loads CLIP again
     * from {@code clipSpec}.
     */
    public static Conditioner trainingConditioner(DitConfig cfg, ClipTextEncoder clip, String clipSpec,
            CaptionedImages data) {
        if (cfg.isText()) {
            TextConditioner text = TextConditioner.forTraining(clip, cfg.contextLen());
            List<String> captions = data.captions().stream().distinct().limit(MAX_ENCODED_UP_FRONT + 1).toList();
            if (captions.size() <= MAX_ENCODED_UP_FRONT) {
                text.encodeAllAndRelease(captions, () -> ClipTextEncoder.load(clipSpec));
            }
            return text;
        }
        return cfg.isClass() ? new ClassConditioner(cfg.numClasses()) : new Unconditioned();
    }

    /**
     * A new model with initial weights from {@code seed}, ready for its first step: a
     * {@code text_centering} model gets its centring fitted to the tokens of the data's distinct
     * captions (the first {@value #MAX_CENTERING_CAPTIONS} of them) through {@code conditioner}.
     */
    public static DitNetwork newModel(DitConfig cfg, long seed, Conditioner conditioner, CaptionedImages data) {
        DitNetwork model = DitGraph.build(cfg, seed);
        if (cfg.textCentering()) {
            model.setTextCentering(fitTextCentering(conditioner, data));
        }
        return model;
    }

    private static TextCentering fitTextCentering(Conditioner conditioner, CaptionedImages data) {
        List<String> captions = data.captions().stream().distinct().limit(MAX_CENTERING_CAPTIONS).toList();
        if (captions.isEmpty()) {
            throw new T2iException("text_centering needs captions to fit to, and " + data.source() + " has none");
        }
        INDArray context = conditioner.encode(captions, null, null).context();
        TextCentering centering = TextCentering.fit(context);
        context.close();
        LOG.info("text tokens centred on {} distinct captions (scale {})", captions.size(), centering.scale());
        return centering;
    }

    /** The text encoder of a text model (null otherwise), saying so when it is the untrained stand-in. */
    public static ClipTextEncoder loadClip(DitConfig cfg, String spec) {
        if (!cfg.isText()) {
            return null;
        }
        ClipTextEncoder clip = ClipTextEncoder.load(spec);
        if (clip.isRandom()) {
            LOG.warn("using a seeded, UNTRAINED CLIP text tower of the real shape (clip {}); point it at real CLIP"
                    + " weights (tools/download-clip.sh) for real text understanding", spec);
        }
        return clip;
    }

    /**
     * The newest checkpoint of {@code runDir} when resuming, else null; without {@code resume} a
     * folder that already has checkpoints is refused rather than overwritten.
     */
    static Checkpoint resumeOrRefuse(Path runDir, boolean resume) {
        // checkpoint files, not the folder: a first checkpoint write that a kill or a full disk
        // interrupted leaves checkpoints/ empty or holding only the writer's temporary file, and
        // that folder has nothing to resume from and nothing to protect
        boolean finished = Checkpoint.newest(runDir) != null;
        if (resume) {
            if (!finished && !Files.isRegularFile(runDir)) {
                // without this, the checkpoint reader takes the missing folder for a file and says
                // "model file not found", or "no checkpoints in", which hides what to do next
                throw new T2iException("there is no run to resume in " + runDir + " ("
                        + (Files.isDirectory(runDir.resolve("checkpoints"))
                                ? "no finished checkpoint: the run stopped before writing its first one"
                                : "no checkpoints/ folder")
                        + "); drop --resume to start a new run there, or point --out at the run folder to continue");
            }
            Checkpoint c = Checkpoint.read(runDir);
            if (c.state() == null) {
                throw new T2iException(runDir + " holds a model without its training state (no state.json):"
                        + " it can be sampled or bundled but not resumed; start a new run with another --out");
            }
            return c;
        }
        if (finished) {
            throw new T2iException("run folder " + runDir + " already has checkpoints; pass --resume to continue it or"
                    + " --out for a new folder");
        }
        return null;
    }

    /**
     * Changes to a preset's recipe for one run, each named; unset (or null) keeps the recipe's
     * value. A resumed run keeps its batch, learning rate and seed (its optimiser state and data
     * order depend on them) and takes the rest.
     *
     * <pre>{@code
     * TrainingRun.Overrides.builder().steps(2000).timeLimit("30m").build()
     * }</pre>
     */
    public static final class Overrides {
        /** No changes. */
        public static final Overrides NONE = builder().build();

        private final Integer batch;
        private final Integer steps;
        private final Integer epochs;
        private final Double lr;
        private final Long seed;
        private final Integer checkpointEvery;
        private final Integer sampleEvery;
        private final String timeLimit;

        /** Refuses explicit values that the recipe would read as "unset" or that cannot train. */
        private Overrides(Builder b) {
            positive(b.batch, "batch", "a positive number of images");
            positive(b.steps, "steps", "a positive step count");
            positive(b.epochs, "epochs", "a positive number of passes");
            positive(b.checkpointEvery, "checkpoint_every", "a positive step count");
            if (b.lr != null && !(b.lr > 0 && b.lr < 1)) {
                throw new T2iException("invalid training setting lr = " + b.lr + " (expected a learning rate such as"
                        + " 1e-4)");
            }
            if (b.sampleEvery != null && b.sampleEvery < 0) {
                throw new T2iException("invalid training setting sample_every = " + b.sampleEvery + " (expected 0,"
                        + " off, or a positive step count)");
            }
            this.batch = b.batch;
            this.steps = b.steps;
            this.epochs = b.epochs;
            this.lr = b.lr;
            this.seed = b.seed;
            this.checkpointEvery = b.checkpointEvery;
            this.sampleEvery = b.sampleEvery;
            this.timeLimit = b.timeLimit;
        }

        /** A builder with nothing set: every setting keeps the recipe's value until set. */
        public static Builder builder() {
            return new Builder();
        }

        /** Images per step, or null. */
        public Integer batch() {
            return batch;
        }

        /** Total steps (instead of epochs), or null. */
        public Integer steps() {
            return steps;
        }

        /** Passes over the data, or null. */
        public Integer epochs() {
            return epochs;
        }

        /** Peak learning rate, or null. */
        public Double lr() {
            return lr;
        }

        /** Seed of every random draw, or null. */
        public Long seed() {
            return seed;
        }

        /** Steps between checkpoints, or null. */
        public Integer checkpointEvery() {
            return checkpointEvery;
        }

        /** Steps between sample grids (0: none), or null. */
        public Integer sampleEvery() {
            return sampleEvery;
        }

        /** Wall-time budget such as {@code 55m}, or null. */
        public String timeLimit() {
            return timeLimit;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Overrides other && Objects.equals(batch, other.batch)
                    && Objects.equals(steps, other.steps) && Objects.equals(epochs, other.epochs)
                    && Objects.equals(lr, other.lr) && Objects.equals(seed, other.seed)
                    && Objects.equals(checkpointEvery, other.checkpointEvery)
                    && Objects.equals(sampleEvery, other.sampleEvery) && Objects.equals(timeLimit, other.timeLimit);
        }

        @Override
        public int hashCode() {
            return Objects.hash(batch, steps, epochs, lr, seed, checkpointEvery, sampleEvery, timeLimit);
        }

        @Override
        public String toString() {
            return "Overrides[batch=" + batch + ", steps=" + steps + ", epochs=" + epochs + ", lr=" + lr + ", seed="
                    + seed + ", checkpointEvery=" + checkpointEvery + ", sampleEvery=" + sampleEvery
                    + ", timeLimit=" + timeLimit + "]";
        }

        /**
         * Names each change; a null argument leaves that setting unset (the recipe's value), so
         * optional command-line values pass straight through. {@link #build()} checks them.
         */
        public static final class Builder {
            private Integer batch;
            private Integer steps;
            private Integer epochs;
            private Double lr;
            private Long seed;
            private Integer checkpointEvery;
            private Integer sampleEvery;
            private String timeLimit;

            private Builder() {
            }

            /** Images per step. */
            public Builder batch(Integer v) {
                this.batch = v;
                return this;
            }

            /** Total steps (instead of epochs). */
            public Builder steps(Integer v) {
                this.steps = v;
                return this;
            }

            /** Passes over the data. */
            public Builder epochs(Integer v) {
                this.epochs = v;
                return this;
            }

            /** Peak learning rate. */
            public Builder lr(Double v) {
                this.lr = v;
                return this;
            }

            /** Seed of every random draw. */
            public Builder seed(Long v) {
                this.seed = v;
                return this;
            }

            /** Steps between checkpoints. */
            public Builder checkpointEvery(Integer v) {
                this.checkpointEvery = v;
                return this;
            }

            /** Steps between sample grids (0: none). */
            public Builder sampleEvery(Integer v) {
                this.sampleEvery = v;
                return this;
            }

            /** Wall-time budget such as {@code 55m}. */
            public Builder timeLimit(String v) {
                this.timeLimit = v;
                return this;
            }

            /**
             * The overrides; refuses explicit values that the recipe would read as "unset" or
             * that cannot train (a batch, step, epoch or checkpoint count below 1, a learning
             * rate outside (0, 1), a negative sample interval).
             */
            public Overrides build() {
                return new Overrides(this);
            }
        }

        private static void positive(Integer v, String name, String expected) {
            if (v != null && v <= 0) {
                throw new T2iException("invalid training setting " + name + " = " + v + " (expected " + expected
                        + ")");
            }
        }

        TrainConfig applyTo(TrainConfig recipe, boolean resumed) {
            TrainConfig.Builder b = recipe.toBuilder();
            if (resumed) {
                if (batch != null || lr != null || seed != null) {
                    LOG.warn("a resumed run keeps its batch ({}), learning rate ({}) and seed ({}); the new values are"
                            + " ignored", recipe.batch(), recipe.lr(), recipe.seed());
                }
            } else {
                set(batch, b::batch);
                set(lr, b::lr);
                set(seed, b::seed);
            }
            if (steps != null) {
                b.steps(steps);
            }
            if (epochs != null) {
                b.epochs(epochs).steps(steps != null ? steps : 0);
            }
            set(checkpointEvery, b::checkpointEvery);
            set(sampleEvery, b::sampleEvery);
            if (timeLimit != null) {
                b.timeLimit(timeLimit);
            }
            return b.build();
        }

        private static <T> void set(T value, java.util.function.Consumer<T> setter) {
            if (value != null) {
                setter.accept(value);
            }
        }
    }

    /** Collects what a run needs; {@link #build()} checks and loads it. */
    public static final class Builder {
        private final Path runDir;
        private Preset preset = Preset.named("seed");
        private DitConfig.Variant variant;
        private Overrides overrides = Overrides.NONE;
        private Function<DatasetOptions, CaptionedImages> data;
        private DatasetOptions dataOptions = DatasetOptions.defaults();
        private String clip;
        private boolean resume;
        private boolean sampleGrids = true;
        private Preset.SampleDefaults sampleDefaults;
        private TrainingProgress progress;
        private Runnable housekeeping;
        private final Map<String, Object> provenance = new LinkedHashMap<>();

        private Builder(Path runDir) {
            this.runDir = Objects.requireNonNull(runDir, "runDir");
        }

        /** The model, recipe and sampling defaults (default: the {@code seed} preset). */
        public Builder preset(Preset p) {
            this.preset = Objects.requireNonNull(p, "preset");
            return this;
        }

        /** Trains another member of the DiT family on the preset's trunk. */
        public Builder variant(DitConfig.Variant v) {
            this.variant = v;
            return this;
        }

        /** Changes to the preset's recipe (batch, steps, time budget, ...). */
        public Builder overrides(Overrides o) {
            this.overrides = Objects.requireNonNull(o, "overrides");
            return this;
        }

        /**
         * The training images: called once, with {@link #dataOptions} completed by the model's
         * image size and the run's seed (e.g. {@code o -> DatasetLoader.open("data.zip", o)}).
         */
        public Builder data(Function<DatasetOptions, CaptionedImages> source) {
            this.data = source;
            return this;
        }

        /** Split, limits and per-class limits for the data source (image size and seed are the run's). */
        public Builder dataOptions(DatasetOptions options) {
            this.dataOptions = Objects.requireNonNull(options, "dataOptions");
            return this;
        }

        /**
         * The text encoder: a CLIP folder, a converted file or {@code random[:SEED]}. Default: the
         * one a resumed run recorded, else the seeded random tower.
         */
        public Builder clip(String spec) {
            this.clip = spec;
            return this;
        }

        /** Continue the run in the folder from its newest checkpoint instead of refusing the folder. */
        public Builder resume(boolean r) {
            this.resume = r;
            return this;
        }

        /**
         * Opts in to process-wide memory care after each step ({@link Trainer#housekeeping}); by
         * default the run does nothing to the process beyond its own allocations.
         */
        public Builder housekeeping(Runnable action) {
            this.housekeeping = action;
            return this;
        }

        /** Whether to write a sample grid every {@code sample_every} steps (default true). */
        public Builder sampleGrids(boolean write) {
            this.sampleGrids = write;
            return this;
        }

        /** The sampling settings to record instead of the preset's (a resumed run keeps its own). */
        public Builder sampleDefaults(Preset.SampleDefaults s) {
            this.sampleDefaults = s;
            return this;
        }

        /** Where progress goes (default: a console bar on stderr). */
        public Builder progress(TrainingProgress p) {
            this.progress = p;
            return this;
        }

        /** An extra field for {@code run.json} (how the run was made). */
        public Builder provenance(String key, Object value) {
            provenance.put(key, value);
            return this;
        }

        /** Checks the inputs, loads data, text encoder and model, and returns the run ready to train. */
        public TrainingRun build() {
            if (data == null) {
                throw new T2iException("no training data given (TrainingRun.Builder.data)");
            }
            Checkpoint resumed = resumeOrRefuse(runDir, resume);
            DitConfig cfg = preset.model();
            TrainConfig train;
            if (resumed != null) {
                cfg = resumed.model().config();
                train = overrides.applyTo(resumed.state().train(), true);
            } else {
                cfg = variant != null ? cfg.withVariant(variant) : cfg;
                train = overrides.applyTo(preset.train(), false);
            }
            String clipSpec = clip != null ? clip
                    : resumed != null && resumed.state().clip() != null ? resumed.state().clip() : "random";
            CaptionedImages images = data.apply(dataOptions.withImageSize(cfg.imgSize()).withSeed(train.seed()));
            ClipTextEncoder encoder = loadClip(cfg, clipSpec);
            cfg = adapt(cfg, images, encoder);
            Conditioner conditioner = trainingConditioner(cfg, encoder, clipSpec, images);
            DitNetwork model = resumed != null ? resumed.model() : newModel(cfg, train.seed(), conditioner, images);
            Preset.SampleDefaults sample = resumed != null && resumed.state().sample() != null
                    ? resumed.state().sample() : sampleDefaults != null ? sampleDefaults : preset.sample();
            if (resumed == null) {
                writeProvenance(cfg, train, images, clipSpec, model, sample);
            }
            Trainer trainer = new Trainer(model, train, images, conditioner, runDir, cfg.isText() ? clipSpec : null)
                    .sampleDefaults(sample);
            if (progress != null) {
                trainer.progress(progress);
            }
            if (housekeeping != null) {
                trainer.housekeeping(housekeeping);
            }
            if (resumed != null) {
                trainer.restore(resumed);
                LOG.info("resuming {} at step {} of {}", runDir, trainer.step(), trainer.totalSteps());
            }
            TrainingRun run = new TrainingRun(runDir, model, images, conditioner, trainer,
                    cfg.isText() ? clipSpec : null, sample, resumed != null);
            if (sampleGrids) {
                trainer.onSample(run::writeSampleGrid);
            }
            return run;
        }

        private void writeProvenance(DitConfig cfg, TrainConfig train, CaptionedImages images, String clipSpec,
                DitNetwork model, Preset.SampleDefaults sample) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("preset", preset.description());
            all.put("model", cfg);
            all.put("train", train);
            all.put("data", images.toString());
            all.put("data_warnings", images.warnings());
            all.put("clip", clipSpec);
            all.put("parameters", model.parameterCount());
            all.put("sample", sample);
            if (cfg.isClass()) {
                all.put("class_names", images.classNames()); // so that sample grids name classes, not numbers
            }
            List<String> captions = cfg.isText() ? TrainingCaptions.toRecord(images.captions()) : null;
            if (captions != null) {
                all.put("captions", captions); // what an untrained text tower's model understands
            }
            all.putAll(provenance);
            all.put("t2i_version", Version.current());
            all.put("nd4j_version", "1.0.0-M2.1");
            all.put("java_version", System.getProperty("java.version"));
            all.put("backend", Nd4j.getBackend().getClass().getSimpleName());
            all.put("created", Instant.now().toString());
            // atomically: a full disk must not leave a torn run.json for the readers of the run folder
            dev.t2i.io.AtomicFiles.writeJson(runDir.resolve("run.json"), all);
        }
    }

    /** A grid of the first captions (or classes) at this step, with the EMA weights, in samples/. */
    private void writeSampleGrid(long step) {
        boolean classes = model.config().isClass();
        List<String> prompts = classes ? null : data.captions().stream().distinct().limit(GRID_ROWS).toList();
        int[] labels = classes ? IntStream.range(0, Math.min(GRID_ROWS, data.classNames().size())).toArray() : null;
        // the model alone: the trainer holds no guide model (before guide_at there is none), so the
        // grids never autoguide
        SamplingOptions options = sampleDefaults.options(0).withGuideScale(1.0);
        Path png = runDir.resolve("samples").resolve(String.format(Locale.ROOT, "step-%08d.png", step));
        withEmaWeights(() -> SampleGrids.write(generator(), prompts, labels, data.classNames(), options, png, 5));
        // the grid's buffers would otherwise stay beside the training step's until the run ends
        model.freeSamplingBuffers();
    }
}
