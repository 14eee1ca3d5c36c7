package dev.t2i.train;

import dev.t2i.T2iException;
import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.Conditioning;
import dev.t2i.config.Preset;
import dev.t2i.config.TrainConfig;
import dev.t2i.data.Batch;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.EpochShuffler;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.flow.FlowMatching;
import dev.t2i.random.Subsets;
import dev.t2i.runtime.Graphs;
import dev.t2i.runtime.NativeArrays;
import dev.t2i.runtime.Workers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop: flow-matching loss on the DiT graph, AdamW with optional warm-up/cosine
 * schedule, gradient clipping and EMA, atomic checkpoints and exact resume.
 *
 * <p>The data order of an epoch depends on (seed, epoch) and every random draw of a step
 * (flips, condition dropout, times, noise) on (seed, epoch, step), through {@link EpochShuffler};
 * a resumed run therefore repeats the uninterrupted one step for step (with the same number of
 * {@link Workers}: shards change the order of floating-point sums, not the result beyond that).
 */
public final class Trainer {
    /** Smallest batch shard worth its own thread. */
    private static final int MIN_SHARD_ROWS = 4;
    private final DitNetwork model;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("t2i");
    private final TrainConfig cfg;
    private final CaptionedImages data;
    private final EpochShuffler shuffler;
    private final Conditioner conditioner;
    private final Path runDir;
    private final String clipSpec;
    private final AdamW optimizer;
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final int stepsPerEpoch;
    private final int totalSteps;
    private Ema ema;
    private long step;
    private LongConsumer sampleHook = s -> { };
    /** Process-wide memory care after each step: none unless the application asks (see {@link #housekeeping}). */
    private Runnable housekeeping = () -> { };
    private TrainingProgress progress;
    private volatile boolean stopRequested;
    private int cachedEpoch = -1;
    private int[][] epochBatches;
    private final double timeLimitSeconds;
    private double elapsedBefore;
    /** The loop's start on {@link #clock}, or -1 between runs. */
    private long loopStart = -1;
    /** Nanoseconds for time limits, rates and ETAs; tests step it by hand instead of waiting. */
    private LongSupplier clock = System::nanoTime;
    private RunState.LossTally tally = RunState.LossTally.EMPTY;
    private Preset.SampleDefaults sampleDefaults;
    private Path lastCheckpoint;
    /**
     * The graph of the token-dropping steps (train.token_drop), sharing the model's weights: built
     * at the first such step, so a run resumed past token_drop_until never builds it; else null.
     */
    private SameDiff tokenDroppedGraph;
    /** Image tokens a token-dropping step keeps (all of them without token_drop). */
    private final int keptTokens;
    /** Whether the token-dropping phase has ended in this trainer and its graph's buffers are freed. */
    private boolean tokenDropEnded;
    /** Whether the run's guide model (train.guide_at) is written, in this trainer or before a resume. */
    private boolean guideKept;

    /** A trainer for a new run (or one to resume with {@link #restore}). */
    public Trainer(DitNetwork model, TrainConfig cfg, CaptionedImages data, Conditioner conditioner, Path runDir,
            String clipSpec) {
        if (data.size() == 0) {
            throw new T2iException("the data set " + data + " has no images (check --data, --split and --limit)");
        }
        if (data.size() < cfg.batch()) {
            // one full batch per step keeps the loss a mean over the same number of images every step
            LOG.warn("the data set has {} images, fewer than a batch of {}: training with batches of {}", data.size(),
                    cfg.batch(), data.size());
            cfg = cfg.toBuilder().batch(data.size()).build();
        }
        this.model = model;
        this.cfg = cfg;
        this.data = data;
        this.shuffler = new EpochShuffler(cfg.seed());
        this.conditioner = conditioner;
        this.runDir = runDir;
        this.clipSpec = clipSpec;
        this.optimizer = new AdamW(cfg.beta1(), cfg.beta2(), cfg.adamEps(), cfg.weightDecay());
        for (String name : model.trainableNames()) {
            params.put(name, model.graph().getArrForVarName(name));
        }
        this.totalSteps = cfg.totalSteps(data.size());
        this.stepsPerEpoch = Math.max(1, EpochShuffler.stepsPerEpoch(data.size(), cfg.batch(), true));
        this.timeLimitSeconds = cfg.timeLimitSeconds();
        if (cfg.emaDecay() > 0) {
            this.ema = new Ema(cfg.emaDecay(), cfg.emaWarmup(), params);
        }
        this.progress = TrainingProgress.console(totalSteps);
        DitConfig m = model.config();
        FlowMatching.attachLoss(model.graph(), DitGraph.VELOCITY, -1, m.inChannels(), m.imgSize(), m.imgSize());
        Graphs.prepareGradients(model.graph());
        this.keptTokens = cfg.keptTokens(m.tokens());
    }

    /** The token-dropping steps' graph, built and announced at the first of them. */
    private SameDiff tokenDroppedGraph() {
        if (tokenDroppedGraph == null) {
            DitConfig m = model.config();
            SameDiff dropped = model.tokenDroppedGraph(keptTokens);
            SDVariable select = dropped.getVariable(DitGraph.TOKEN_SELECT);
            // the loss covers the kept tokens' patches of the target
            FlowMatching.attachLoss(dropped, DitGraph.VELOCITY, target -> dropped.mmul(select,
                    DitGraph.tokenPatches(m, target)), -1, m.inChannels(), m.imgSize(), m.imgSize());
            Graphs.prepareGradients(dropped);
            tokenDroppedGraph = dropped;
            progress.message(String.format(java.util.Locale.ROOT, "token_drop %s: the blocks run on %d of the %d"
                    + " tokens of each image until %d %% of the run, then on all of them", cfg.tokenDrop(),
                    keptTokens, m.tokens(), Math.round(cfg.tokenDropUntil() * 100)));
        }
        return tokenDroppedGraph;
    }

    /** Continues from a checkpoint: weights, EMA, optimiser moments, step, time spent and open loss sums. */
    public Trainer restore(Checkpoint c) {
        model.setWeights(c.model().weights());
        if (c.model().textCentering() != null) {
            // the tokens the run trained on, not a centring fitted again
            model.setTextCentering(c.model().textCentering());
        }
        optimizer.restore(c.optimizer(), c.state().step());
        if (ema != null && c.ema() != null) {
            ema.restore(c.ema());
        }
        step = c.state().step();
        elapsedBefore = c.state().elapsedSeconds();
        guideKept = Files.isRegularFile(runDir.resolve(Checkpoint.GUIDE));
        if (c.state().tally() != null) {
            tally = c.state().tally();
        }
        return this;
    }

    /** Records the run's sampling defaults in its checkpoints, so {@code sample} and {@code bundle} use them. */
    public Trainer sampleDefaults(Preset.SampleDefaults defaults) {
        this.sampleDefaults = defaults;
        return this;
    }

    /** Called with the step number every {@code sample_every} steps and at the end. */
    public Trainer onSample(LongConsumer hook) {
        this.sampleHook = hook;
        return this;
    }

    /**
     * Something to run after every step, once the step's arrays are freed: for an application
     * that owns its process and wants it to hand memory back (the command line trims glibc's
     * arenas and collects now and then, {@code runtime.ProcessHousekeeping}). The trainer itself
     * does nothing process-wide: its memory stays flat by freeing what it allocates.
     */
    public Trainer housekeeping(Runnable action) {
        this.housekeeping = Objects.requireNonNull(action);
        return this;
    }

    /** Replaces the progress reporter (tests use a silent one). */
    public Trainer progress(TrainingProgress p) {
        this.progress = p;
        return this;
    }

    /**
     * Replaces the clock (nanoseconds, as {@link System#nanoTime}) that the time limit, the
     * images-per-second rate and the ETA read; tests pass one that advances by a fixed step.
     */
    public Trainer clock(LongSupplier nanos) {
        this.clock = nanos;
        return this;
    }

    /** Asks the loop to checkpoint and stop after the current step (Ctrl-C, kill). */
    public void requestStop() {
        stopRequested = true;
    }

    /** The model being trained. */
    public DitNetwork model() {
        return model;
    }

    public long step() {
        return step;
    }

    public int totalSteps() {
        return totalSteps;
    }

    /** The recipe as run (a batch larger than the data set is lowered to it). */
    public TrainConfig config() {
        return cfg;
    }

    /** Whether the run has nothing left to do: all its steps taken or its time budget spent. */
    public boolean finished() {
        return step >= totalSteps || timeUp();
    }

    /** The newest checkpoint this trainer wrote, or null. */
    public Path lastCheckpoint() {
        return lastCheckpoint;
    }

    /** Wall time the training loop has run, across resumes. */
    public double elapsedSeconds() {
        return elapsedBefore + (loopStart < 0 ? 0 : (clock.getAsLong() - loopStart) / 1e9);
    }

    private boolean timeUp() {
        return timeLimitSeconds > 0 && elapsedSeconds() >= timeLimitSeconds;
    }

    private double timeFraction() {
        return timeLimitSeconds > 0 ? Math.min(1.0, elapsedSeconds() / timeLimitSeconds) : 0;
    }

    /** How far the run is: the share of its steps or of its time budget, whichever is further. */
    private double runFraction() {
        return Math.max((double) step / totalSteps, timeFraction());
    }

    /** Whether this step runs on the kept tokens only (train.token_drop, before token_drop_until). */
    private boolean dropsTokens() {
        return keptTokens < model.config().tokens() && runFraction() < cfg.tokenDropUntil();
    }

    /** The EMA weights, or null. */
    public Map<String, INDArray> emaWeights() {
        return ema == null ? null : ema.weights();
    }

    /**
     * Trains until the total step count (or {@code untilStep}, if smaller, or the time budget)
     * and returns the loss of every step run by this call.
     */
    public List<Double> run(long untilStep) {
        long end = Math.min(untilStep, totalSteps);
        LrSchedule schedule = LrSchedule.of(cfg, totalSteps);
        List<Double> losses = new ArrayList<>();
        double intervalLoss = tally.intervalLoss();
        int intervalSteps = tally.intervalSteps();
        double intervalSeconds = tally.intervalSeconds();
        double epochLoss = tally.epochLoss();
        int epochSteps = tally.epochSteps();
        // seconds per step, smoothed, from the steps alone: sample grids and checkpoints do not move the ETA
        double stepSeconds = 0;
        loopStart = clock.getAsLong();
        try (MetricsLog metrics = MetricsLog.open(runDir.resolve("metrics.csv"), step)) {
            // the clock and the stop flag are read once per step: the same answer decides whether
            // this step checkpoints and whether the loop ends (read twice, a limit passing in
            // between ended the run without its final checkpoint)
            boolean last = step >= end || stopRequested || timeUp();
            while (!last) {
                double lr = schedule.at(step, timeFraction());
                long t0 = clock.getAsLong();
                double loss = runStep(lr);
                double secs = (clock.getAsLong() - t0) / 1e9;
                stepSeconds = stepSeconds == 0 ? secs : 0.9 * stepSeconds + 0.1 * secs;
                losses.add(loss);
                intervalLoss += loss;
                intervalSteps++;
                intervalSeconds += secs;
                epochLoss += loss;
                epochSteps++;
                double ips = intervalSteps * cfg.batch() / Math.max(1e-9, intervalSeconds);
                boolean outOfTime = timeUp();
                last = step >= end || outOfTime || stopRequested;
                // a run stopped between rows carries the open interval in its checkpoint instead of
                // writing a short row, so a resumed run's metrics are those of an uninterrupted one
                boolean logNow = step % cfg.logEvery() == 0 || step == totalSteps || outOfTime;
                double eta = (end - step) * stepSeconds;
                if (timeLimitSeconds > 0) {
                    eta = Math.min(eta, Math.max(0, timeLimitSeconds - elapsedSeconds()));
                }
                progress.step(step, loss, ips, eta, logNow);
                if (logNow) {
                    metrics.append(new MetricsLog.Row(step, (double) step / stepsPerEpoch, intervalLoss / intervalSteps,
                            lr, ips));
                    intervalLoss = 0;
                    intervalSteps = 0;
                    intervalSeconds = 0;
                }
                if (step % stepsPerEpoch == 0) {
                    progress.message(String.format(java.util.Locale.ROOT, "epoch %d mean loss %.4f",
                            step / stepsPerEpoch, epochLoss / epochSteps));
                    epochLoss = 0;
                    epochSteps = 0;
                }
                tally = new RunState.LossTally(intervalLoss, intervalSteps, intervalSeconds, epochLoss, epochSteps);
                if (step % cfg.checkpointEvery() == 0 || last) {
                    checkpoint();
                }
                if (!guideKept && cfg.guideAt() > 0 && runFraction() >= cfg.guideAt() && !last) {
                    keepGuide();
                }
                if (cfg.sampleEvery() > 0 && (step % cfg.sampleEvery() == 0 || last)) {
                    sampleHook.accept(step);
                }
            }
        } finally {
            elapsedBefore = elapsedSeconds();
            loopStart = -1;
        }
        if (timeUp() && step < totalSteps) {
            progress.message(String.format(java.util.Locale.ROOT,
                    "time limit %s reached at step %d of %d (the learning rate had decayed to about zero)",
                    cfg.timeLimit(), step, totalSteps));
        }
        if (finished()) {
            // done: the backward pass's pooled buffers (about a GB per worker) are not needed for sampling
            Graphs.closeSessions(model.graph().getFunction("grad"));
            if (tokenDroppedGraph != null) {
                Graphs.closeTrainingSessions(tokenDroppedGraph);
            }
        }
        return losses;
    }

    /** Writes a checkpoint of the current state. */
    public Path checkpoint() {
        lastCheckpoint = new Checkpoint(model, runState(), emaWeights(), optimizer.state()).write(runDir,
                cfg.keepCheckpoints());
        return lastCheckpoint;
    }

    /** The run as it stands now, as checkpoints record it. */
    private RunState runState() {
        return new RunState(step, totalSteps, cfg, data.toString(), conditioner.description(), clipSpec,
                sampleDefaults, elapsedSeconds(), tally);
    }

    /**
     * Writes the weights as they are now (EMA where the run keeps it) as the run's guide model,
     * {@code guide.t2i}: the weaker snapshot that autoguidance extrapolates away from.
     */
    private void keepGuide() {
        new Checkpoint(model, runState(), emaWeights(), null).writeTo(runDir.resolve(Checkpoint.GUIDE));
        guideKept = true;
        progress.message(String.format(java.util.Locale.ROOT,
                "step %d: kept the %s weights as the guide model %s (guide_at %s)", step, ema != null ? "EMA" : "live",
                Checkpoint.GUIDE, cfg.guideAt()));
    }

    /**
     * One optimiser step at the scheduled learning rate, without logging or checkpoints (for
     * benchmarks); returns its loss.
     */
    public double runStep() {
        return runStep(LrSchedule.of(cfg, totalSteps).at(step, timeFraction()));
    }

    private double runStep(double lr) {
        double loss = trainStep(lr);
        step++;
        return loss;
    }

    private double trainStep(double lr) {
        int b = cfg.batch();
        int epoch = (int) (step / stepsPerEpoch);
        SplittableRandom rng = shuffler.random(epoch, (int) (step % stepsPerEpoch));
        Batch batch = data.batch(batchIndices(epoch), cfg.flip() ? rng : null);
        boolean[] drop = new boolean[b];
        for (int i = 0; i < b; i++) {
            drop[i] = rng.nextDouble() < cfg.textDropout();
        }
        FlowMatching.Example ex = FlowMatching.draw(rng, batch.images(), cfg.timeSampling());
        boolean dropping = dropsTokens();
        if (tokenDroppedGraph != null && !dropping && !tokenDropEnded) {
            tokenDropEnded = true;
            // its pooled buffers would otherwise sit beside the full graph's for the rest of the run
            Graphs.closeTrainingSessions(tokenDroppedGraph);
            progress.message(String.format(java.util.Locale.ROOT,
                    "step %d: training on all %d tokens of each image from here (token_drop_until %s)", step + 1,
                    model.config().tokens(), cfg.tokenDropUntil()));
        }
        // drawn after the example's, so runs without token_drop keep their random streams
        INDArray select = dropping ? tokenSelection(rng, b, model.config().tokens(), keptTokens) : null;
        // this step's arrays, freed when it ends rather than whenever the garbage collector gets to them
        Queue<INDArray> stepArrays = new ConcurrentLinkedQueue<>();
        Stream.of(batch.images(), ex.t(), ex.xt(), ex.target(), select).filter(Objects::nonNull)
                .forEach(stepArrays::add);
        int shards = Workers.shared().shardsFor(b, MIN_SHARD_ROWS);
        try (ShardedGradients g = ShardedGradients.compute(dropping ? tokenDroppedGraph() : model.graph(),
                params.keySet(), b, shards, cfg.recompute(), i -> {
            // each shard's text straight from the conditioner, on its worker: no batch-wide copy to cut up
            int from = (int) Workers.shardStart(b, shards, i);
            int to = (int) Workers.shardStart(b, shards, i + 1);
            Conditioning c = conditioner.encode(batch.captions().subList(from, to),
                    batch.labels() == null ? null : Arrays.copyOfRange(batch.labels(), from, to),
                    Arrays.copyOfRange(drop, from, to));
            Map<String, INDArray> inputs = new HashMap<>(model.inputs(Workers.shardRows(ex.xt(), shards, i),
                    Workers.shardRows(ex.t(), shards, i), c.context(), c.mask(), c.labels()));
            inputs.put(FlowMatching.TARGET, Workers.shardRows(ex.target(), shards, i));
            if (select != null) {
                inputs.put(DitGraph.TOKEN_SELECT, Workers.shardRows(select, shards, i));
            }
            // the shard's copies of the text, from which the inputs were derived, are this step's too
            Stream.concat(inputs.values().stream(), Stream.of(c.context(), c.mask(), c.labels()))
                    .filter(Objects::nonNull).forEach(stepArrays::add);
            return inputs;
        })) {
            stepArrays.addAll(g.outputs());
            if (!Double.isFinite(g.loss())) {
                // the run diverged: a setting to change, not a bug, so one line (the CLI's exit 2)
                // that names the fix; the checkpoints written so far are untouched
                String fix = cfg.gradClip() > 0
                        ? String.format(java.util.Locale.ROOT, "lower train.lr (it is %s) or raise"
                                + " train.warmup_steps (it is %d)", cfg.lr(), cfg.warmupSteps())
                        : "set train.grad_clip (e.g. 1.0) or lower train.lr";
                throw new T2iException("training diverged: the loss became " + g.loss() + " at step " + (step + 1)
                        + "; " + fix);
            }
            if (cfg.gradClip() > 0) {
                clip(g.gradients(), cfg.gradClip());
            }
            optimizer.update(params, g.gradients(), lr);
            if (ema != null) {
                ema.update(params, step);
            }
            return g.loss();
        } finally {
            NativeArrays.closeAll(stepArrays);
            housekeeping.run();
        }
    }

    /**
     * The tokens each of {@code images} images keeps, as one-hot rows [images, kept, tokens]: a
     * uniformly random subset per image, in token order.
     */
    static INDArray tokenSelection(SplittableRandom rng, int images, int tokens, int kept) {
        float[] rows = new float[images * kept * tokens];
        for (int i = 0; i < images; i++) {
            int[] chosen = Subsets.choose(rng, tokens, kept);
            Arrays.sort(chosen);
            for (int j = 0; j < kept; j++) {
                rows[(i * kept + j) * tokens + chosen[j]] = 1f;
            }
        }
        return org.nd4j.linalg.factory.Nd4j.create(rows, new long[] {images, kept, tokens}, 'c');
    }

    private int[] batchIndices(int epoch) {
        if (epoch != cachedEpoch) {
            epochBatches = shuffler.batches(epoch, data.size(), cfg.batch(), true);
            cachedEpoch = epoch;
        }
        return epochBatches[(int) (step % stepsPerEpoch)];
    }

    /** Scales all gradients so their global L2 norm is at most {@code max}; returns the norm. */
    static double clip(Map<String, INDArray> grads, double max) {
        List<INDArray> all = new ArrayList<>(grads.values());
        double[] norms = new double[all.size()];
        List<Integer> order = java.util.stream.IntStream.range(0, all.size()).boxed().toList();
        Workers workers = Workers.shared();
        workers.forEachSpread(order, k -> all.get(k).length(), k -> norms[k] = all.get(k).norm2Number().doubleValue());
        // summed in the gradients' order, as one thread would: the same norm to the last bit
        double sq = 0;
        for (double n : norms) {
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        if (norm > max) {
            double scale = max / (norm + 1e-6);
            workers.forEachSpread(all, INDArray::length, g -> g.muli(scale));
        }
        return norm;
    }
}
