package dev.t2i.flow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.t2i.T2iException;

/**
 * The training recipe. Field names are those of the preset files' {@code train:} section; a
 * zero or missing field takes the default, which for the reference fields is the reference's.
 *
 * @param batch            images per step (64)
 * @param steps            total optimiser steps; 0 = derive from epochs
 * @param epochs           passes over the data when steps is 0 (30)
 * @param lr               peak learning rate (1e-4)
 * @param weightDecay      AdamW's decoupled weight decay (0.01)
 * @param beta1            Adam β1 (0.9)
 * @param beta2            Adam β2 (0.999)
 * @param adamEps          Adam ε (1e-8)
 * @param textDropout      probability of replacing a caption by the null text (0.1)
 * @param timeSampling     {@code uniform} (the reference) or {@code logit-normal}
 * @param schedule         {@code constant} (the reference) or {@code cosine} (decays to 0 after warm-up)
 * @param warmupSteps      linear warm-up steps (0)
 * @param gradClip         global gradient-norm limit; 0 disables (the reference has none)
 * @param emaDecay         EMA decay of the weights; 0 disables (the reference has none)
 * @param emaWarmup        grow the EMA decay with the step count, min(decay, (1 + s) / (10 + s)), so a
 *                         short run's average is not dominated by the initial weights (true)
 * @param flip             random horizontal flips
 * @param seed             seed of every random draw of the run
 * @param logEvery         steps between log lines / metrics rows
 * @param checkpointEvery  steps between checkpoints
 * @param keepCheckpoints  how many recent checkpoints to keep
 * @param sampleEvery      steps between sample grids; 0 disables
 * @param sampleSteps      Euler steps for those grids
 * @param timeLimit        wall-time budget of the whole training loop ("55m", "1h", "90s"), or null for
 *                         none; the cosine schedule then follows whichever of steps and time runs out
 *                         first, and the run ends with a checkpoint when the budget is spent
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TrainConfig(
        @JsonProperty("batch") int batch,
        @JsonProperty("steps") int steps,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("lr") double lr,
        @JsonProperty("weight_decay") Double weightDecay,
        @JsonProperty("beta1") double beta1,
        @JsonProperty("beta2") double beta2,
        @JsonProperty("adam_eps") double adamEps,
        @JsonProperty("text_dropout") Double textDropout,
        @JsonProperty("time_sampling") String timeSampling,
        @JsonProperty("schedule") String schedule,
        @JsonProperty("warmup_steps") int warmupSteps,
        @JsonProperty("grad_clip") double gradClip,
        @JsonProperty("ema_decay") double emaDecay,
        @JsonProperty("flip") Boolean flip,
        @JsonProperty("seed") long seed,
        @JsonProperty("log_every") int logEvery,
        @JsonProperty("checkpoint_every") int checkpointEvery,
        @JsonProperty("keep_checkpoints") int keepCheckpoints,
        @JsonProperty("sample_every") int sampleEvery,
        @JsonProperty("sample_steps") int sampleSteps,
        @JsonProperty("ema_warmup") Boolean emaWarmup,
        @JsonProperty("time_limit") String timeLimit) {

    /** Fills defaults. */
    public TrainConfig {
        batch = batch == 0 ? 64 : batch;
        epochs = epochs == 0 ? 30 : epochs;
        lr = lr == 0 ? 1e-4 : lr;
        weightDecay = weightDecay == null ? 0.01 : weightDecay;
        beta1 = beta1 == 0 ? 0.9 : beta1;
        beta2 = beta2 == 0 ? 0.999 : beta2;
        adamEps = adamEps == 0 ? 1e-8 : adamEps;
        textDropout = textDropout == null ? 0.1 : textDropout;
        timeSampling = timeSampling == null ? "uniform" : timeSampling;
        schedule = schedule == null ? "constant" : schedule;
        flip = flip == null ? Boolean.FALSE : flip;
        logEvery = logEvery == 0 ? 50 : logEvery;
        checkpointEvery = checkpointEvery == 0 ? 1000 : checkpointEvery;
        keepCheckpoints = keepCheckpoints == 0 ? 3 : keepCheckpoints;
        sampleSteps = sampleSteps == 0 ? 50 : sampleSteps;
        emaWarmup = emaWarmup == null ? Boolean.TRUE : emaWarmup;
    }

    /** The reference recipe. */
    public static TrainConfig reference() {
        return new TrainConfig(0, 0, 0, 0, null, 0, 0, 0, null, null, null, 0, 0, 0, null, 0, 0, 0, 0, 0, 0, null,
                null);
    }

    /** Total steps for a data set of {@code size} items (drop_last, as the reference). */
    public int totalSteps(int size) {
        if (steps > 0) {
            return steps;
        }
        int perEpoch = size / batch;
        if (perEpoch == 0) {
            throw new T2iException("the data set has " + size + " items, fewer than one batch of " + batch
                    + " (lower --batch)");
        }
        return perEpoch * epochs;
    }

    /** Checks value ranges, naming the field. */
    public TrainConfig validate() {
        check(batch > 0, "batch", batch, "a positive number of images");
        check(steps >= 0, "steps", steps, "0 (use epochs) or a positive count");
        check(lr > 0 && lr < 1, "lr", lr, "a learning rate such as 1e-4");
        check(weightDecay >= 0, "weight_decay", weightDecay, "0 or more");
        check(textDropout >= 0 && textDropout < 1, "text_dropout", textDropout, "a probability in [0, 1)");
        check(timeSampling.equals("uniform") || timeSampling.equals("logit-normal"), "time_sampling", timeSampling,
                "uniform or logit-normal");
        check(schedule.equals("constant") || schedule.equals("cosine"), "schedule", schedule, "constant or cosine");
        check(warmupSteps >= 0, "warmup_steps", warmupSteps, "0 or more");
        check(gradClip >= 0, "grad_clip", gradClip, "0 (off) or a positive norm");
        check(emaDecay >= 0 && emaDecay < 1, "ema_decay", emaDecay, "0 (off) or a decay such as 0.999");
        check(keepCheckpoints > 0, "keep_checkpoints", keepCheckpoints, "at least 1");
        check(logEvery > 0, "log_every", logEvery, "a positive step count");
        check(checkpointEvery > 0, "checkpoint_every", checkpointEvery, "a positive step count");
        check(sampleEvery >= 0, "sample_every", sampleEvery, "0 (off) or a positive step count");
        if (timeLimit != null) {
            timeLimitSeconds();
        }
        return this;
    }

    private static void check(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new T2iException("invalid training setting " + field + " = " + value + " (expected " + expected + ")");
        }
    }

    /** A copy with some fields overridden from the command line (non-null arguments win). */
    public TrainConfig with(Integer batch, Integer steps, Integer epochs, Double lr, Long seed) {
        // an explicit zero would otherwise read as "take the default" (--batch 0 training with 64)
        check(batch == null || batch > 0, "batch", batch, "a positive number of images");
        check(steps == null || steps > 0, "steps", steps, "a positive step count");
        check(epochs == null || epochs > 0, "epochs", epochs, "a positive number of passes");
        check(lr == null || (lr > 0 && lr < 1), "lr", lr, "a learning rate such as 1e-4");
        return new TrainConfig(batch != null ? batch : this.batch, steps != null ? steps : this.steps,
                epochs != null ? epochs : this.epochs, lr != null ? lr : this.lr, weightDecay, beta1, beta2, adamEps,
                textDropout, timeSampling, schedule, warmupSteps, gradClip, emaDecay, flip,
                seed != null ? seed : this.seed, logEvery, checkpointEvery, keepCheckpoints, sampleEvery, sampleSteps,
                emaWarmup, timeLimit);
    }

    /** A copy with other logging, checkpoint and sample intervals. */
    public TrainConfig withIntervals(int logEvery, int checkpointEvery, int sampleEvery) {
        return new TrainConfig(batch, steps, epochs, lr, weightDecay, beta1, beta2, adamEps, textDropout, timeSampling,
                schedule, warmupSteps, gradClip, emaDecay, flip, seed, logEvery, checkpointEvery, keepCheckpoints,
                sampleEvery, sampleSteps, emaWarmup, timeLimit);
    }

    /** A copy with another wall-time budget ({@code null}: none). */
    public TrainConfig withTimeLimit(String limit) {
        return new TrainConfig(batch, steps, epochs, lr, weightDecay, beta1, beta2, adamEps, textDropout, timeSampling,
                schedule, warmupSteps, gradClip, emaDecay, flip, seed, logEvery, checkpointEvery, keepCheckpoints,
                sampleEvery, sampleSteps, emaWarmup, limit);
    }

    /** The wall-time budget in seconds, or 0 when there is none. */
    public double timeLimitSeconds() {
        return timeLimit == null ? 0 : Durations.seconds(timeLimit, "time_limit");
    }
}
