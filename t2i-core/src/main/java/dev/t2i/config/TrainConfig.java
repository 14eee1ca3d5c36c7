package dev.t2i.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import dev.t2i.T2iException;
import dev.t2i.flow.TimeSampling;
import java.util.Locale;

/**
 * The training recipe. Field names are those of the preset files' {@code train:} section. Valid
 * once made (the constructor names the first bad field); build one with {@link #builder()}, whose
 * defaults, also those of a field a file leaves out, are the reference's recipe.
 *
 * @param batch           images per step (64)
 * @param steps           total optimiser steps; 0 takes them from {@code epochs} (0)
 * @param epochs          passes over the data when steps is 0 (30)
 * @param lr              peak learning rate (1e-4)
 * @param weightDecay     AdamW's decoupled weight decay (0.01)
 * @param beta1           Adam β1 (0.9)
 * @param beta2           Adam β2 (0.999)
 * @param adamEps         Adam ε (1e-8)
 * @param textDropout     probability of replacing a caption by the null text (for CFG) (0.1)
 * @param timeSampling    how the flow time of each image is drawn (uniform)
 * @param schedule        shape of the learning rate after warm-up (constant)
 * @param warmupSteps     linear warm-up steps (0)
 * @param gradClip        global gradient-norm limit; 0 disables (the reference has none) (0)
 * @param emaDecay        EMA decay of the weights; 0 disables (the reference has none) (0)
 * @param flip            random horizontal flips (false)
 * @param seed            seed of every random draw of the run (0)
 * @param logEvery        steps between log lines / metrics rows (50)
 * @param checkpointEvery steps between checkpoints (1000)
 * @param keepCheckpoints how many recent checkpoints to keep (3)
 * @param sampleEvery     steps between sample grids; 0 disables (0)
 * @param sampleSteps     integration steps for those grids (50)
 * @param emaWarmup       grow the EMA decay with the step count, min(decay, (1 + s) / (10 + s)), so a
 *                       short run's average is not dominated by the initial weights (true)
 * @param timeLimit       wall-time budget of the whole training loop ("55m", "1h", "90s"), or null for
 *                       none; the cosine schedule then follows whichever of steps and time runs out
 *                       first, and the run ends with a checkpoint when the budget is spent (null)
 * @param recompute       let the backward pass recompute cheap forward values (GELU's, normalised
 *                       rows) instead of keeping them, where that frees at least 64 MB
 *                       per worker: less memory at the peak of a step for a few element-wise ops
 *                       more; false keeps them all, for speed where memory is plentiful (true)
 * @param tokenDrop       share of each image's tokens a training step leaves out (MaskDiT's speed-up:
 *                       the blocks run on the rest, the loss covers the kept tokens); 0 trains on all (0)
 * @param tokenDropUntil  training progress (share of the steps, or of the time budget, whichever is
 *                       further) after which every token is trained on again, so the model ends on the
 *                       token count it samples with (0.75)
 * @param guideAt         training progress (as for tokenDropUntil) at which the run keeps its EMA
 *                       weights as {@code guide.t2i}, the weaker model that autoguidance extrapolates
 *                       away from when sampling ({@code sample.guide_scale}); 0 keeps none (0)
 */
@JsonDeserialize(builder = TrainConfig.Builder.class)
public record TrainConfig(
        @JsonProperty("batch") int batch,
        @JsonProperty("steps") int steps,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("lr") double lr,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("beta1") double beta1,
        @JsonProperty("beta2") double beta2,
        @JsonProperty("adam_eps") double adamEps,
        @JsonProperty("text_dropout") double textDropout,
        @JsonProperty("time_sampling") TimeSampling timeSampling,
        @JsonProperty("schedule") Schedule schedule,
        @JsonProperty("warmup_steps") int warmupSteps,
        @JsonProperty("grad_clip") double gradClip,
        @JsonProperty("ema_decay") double emaDecay,
        @JsonProperty("flip") boolean flip,
        @JsonProperty("seed") long seed,
        @JsonProperty("log_every") int logEvery,
        @JsonProperty("checkpoint_every") int checkpointEvery,
        @JsonProperty("keep_checkpoints") int keepCheckpoints,
        @JsonProperty("sample_every") int sampleEvery,
        @JsonProperty("sample_steps") int sampleSteps,
        @JsonProperty("ema_warmup") boolean emaWarmup,
        @JsonProperty("time_limit") String timeLimit,
        @JsonProperty("recompute") boolean recompute,
        @JsonProperty("token_drop") double tokenDrop,
        @JsonProperty("token_drop_until") double tokenDropUntil,
        @JsonProperty("guide_at") double guideAt) {

    /** Shape of the learning rate after warm-up. */
    public enum Schedule {
        /** Flat at the peak, as the reference. */
        CONSTANT,
        /** Half a cosine from the peak down to zero at the last step (or the end of the time budget). */
        COSINE;

        /** The name in config files. */
        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code constant} or {@code cosine}. */
        @JsonCreator
        public static Schedule of(String name) {
            for (Schedule s : values()) {
                if (s.id().equals(name)) {
                    return s;
                }
            }
            throw new T2iException("invalid training setting schedule = " + name + " (use constant or cosine)");
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** Checks value ranges, naming the field. */
    public TrainConfig {
        check(batch > 0, "batch", batch, "a positive number of images");
        check(steps >= 0, "steps", steps, "0 (use epochs) or a positive count");
        check(epochs > 0, "epochs", epochs, "a positive number of passes");
        check(lr > 0 && lr < 1, "lr", lr, "a learning rate such as 1e-4");
        check(weightDecay >= 0, "weight_decay", weightDecay, "0 or more");
        check(beta1 >= 0 && beta1 < 1, "beta1", beta1, "a value in [0, 1) such as 0.9");
        check(beta2 >= 0 && beta2 < 1, "beta2", beta2, "a value in [0, 1) such as 0.999");
        check(adamEps > 0, "adam_eps", adamEps, "a small positive number such as 1e-8");
        check(textDropout >= 0 && textDropout < 1, "text_dropout", textDropout, "a probability in [0, 1)");
        check(timeSampling != null, "time_sampling", null, "uniform or logit-normal");
        check(schedule != null, "schedule", null, "constant or cosine");
        check(warmupSteps >= 0, "warmup_steps", warmupSteps, "0 or more");
        check(gradClip >= 0, "grad_clip", gradClip, "0 (off) or a positive norm");
        check(emaDecay >= 0 && emaDecay < 1, "ema_decay", emaDecay, "0 (off) or a decay such as 0.999");
        check(keepCheckpoints > 0, "keep_checkpoints", keepCheckpoints, "at least 1");
        check(logEvery > 0, "log_every", logEvery, "a positive step count");
        check(checkpointEvery > 0, "checkpoint_every", checkpointEvery, "a positive step count");
        check(sampleEvery >= 0, "sample_every", sampleEvery, "0 (off) or a positive step count");
        check(sampleSteps > 0, "sample_steps", sampleSteps, "a positive step count");
        check(tokenDrop >= 0 && tokenDrop < 1, "token_drop", tokenDrop, "a share in [0, 1) such as 0.5");
        check(tokenDropUntil >= 0 && tokenDropUntil <= 1, "token_drop_until", tokenDropUntil,
                "a share of the run in [0, 1] such as 0.75");
        check(guideAt >= 0 && guideAt < 1, "guide_at", guideAt, "0 (off) or a share of the run in (0, 1) such as 0.5");
        if (timeLimit != null) {
            Durations.seconds(timeLimit, "time_limit");
        }
    }

    /** The image tokens a step keeps of {@code tokens} while dropping: at least one. */
    public int keptTokens(int tokens) {
        return Math.max(1, (int) Math.round(tokens * (1 - tokenDrop)));
    }

    /** A builder holding the reference recipe. */
    public static Builder builder() {
        return new Builder();
    }

    /** The reference recipe. */
    public static TrainConfig reference() {
        return builder().build();
    }

    /** A builder starting from this recipe. */
    public Builder toBuilder() {
        return new Builder().batch(batch).steps(steps).epochs(epochs).lr(lr).weightDecay(weightDecay).beta1(beta1)
                .beta2(beta2).adamEps(adamEps).textDropout(textDropout).timeSampling(timeSampling).schedule(schedule)
                .warmupSteps(warmupSteps).gradClip(gradClip).emaDecay(emaDecay).flip(flip).seed(seed)
                .logEvery(logEvery).checkpointEvery(checkpointEvery).keepCheckpoints(keepCheckpoints)
                .sampleEvery(sampleEvery).sampleSteps(sampleSteps).emaWarmup(emaWarmup).timeLimit(timeLimit)
                .recompute(recompute).tokenDrop(tokenDrop).tokenDropUntil(tokenDropUntil).guideAt(guideAt);
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

    /** The wall-time budget in seconds, or 0 when there is none. */
    public double timeLimitSeconds() {
        return timeLimit == null ? 0 : Durations.seconds(timeLimit, "time_limit");
    }

    private static void check(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new T2iException("invalid training setting " + field + " = " + value + " (expected " + expected
                    + ")");
        }
    }

    /** Named fields with the reference recipe as defaults; also how config files are read. */
    @JsonPOJOBuilder(withPrefix = "")
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static final class Builder {
        private int batch = 64;
        private int steps = 0;
        private int epochs = 30;
        private double lr = 1e-4;
        private double weightDecay = 0.01;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double adamEps = 1e-8;
        private double textDropout = 0.1;
        private TimeSampling timeSampling = TimeSampling.UNIFORM;
        private Schedule schedule = Schedule.CONSTANT;
        private int warmupSteps = 0;
        private double gradClip = 0;
        private double emaDecay = 0;
        private boolean flip = false;
        private long seed = 0;
        private int logEvery = 50;
        private int checkpointEvery = 1000;
        private int keepCheckpoints = 3;
        private int sampleEvery = 0;
        private int sampleSteps = 50;
        private boolean emaWarmup = true;
        private String timeLimit = null;
        private boolean recompute = true;
        private double tokenDrop = 0;
        private double tokenDropUntil = 0.75;
        private double guideAt = 0;

        private Builder() {
        }

        @JsonProperty("batch")
        public Builder batch(int v) {
            this.batch = v;
            return this;
        }

        @JsonProperty("steps")
        public Builder steps(int v) {
            this.steps = v;
            return this;
        }

        @JsonProperty("epochs")
        public Builder epochs(int v) {
            this.epochs = v;
            return this;
        }

        @JsonProperty("lr")
        public Builder lr(double v) {
            this.lr = v;
            return this;
        }

        @JsonProperty("weight_decay")
        public Builder weightDecay(double v) {
            this.weightDecay = v;
            return this;
        }

        @JsonProperty("beta1")
        public Builder beta1(double v) {
            this.beta1 = v;
            return this;
        }

        @JsonProperty("beta2")
        public Builder beta2(double v) {
            this.beta2 = v;
            return this;
        }

        @JsonProperty("adam_eps")
        public Builder adamEps(double v) {
            this.adamEps = v;
            return this;
        }

        @JsonProperty("text_dropout")
        public Builder textDropout(double v) {
            this.textDropout = v;
            return this;
        }

        @JsonProperty("time_sampling")
        public Builder timeSampling(TimeSampling v) {
            this.timeSampling = v;
            return this;
        }

        @JsonProperty("schedule")
        public Builder schedule(Schedule v) {
            this.schedule = v;
            return this;
        }

        @JsonProperty("warmup_steps")
        public Builder warmupSteps(int v) {
            this.warmupSteps = v;
            return this;
        }

        @JsonProperty("grad_clip")
        public Builder gradClip(double v) {
            this.gradClip = v;
            return this;
        }

        @JsonProperty("ema_decay")
        public Builder emaDecay(double v) {
            this.emaDecay = v;
            return this;
        }

        @JsonProperty("flip")
        public Builder flip(boolean v) {
            this.flip = v;
            return this;
        }

        @JsonProperty("seed")
        public Builder seed(long v) {
            this.seed = v;
            return this;
        }

        @JsonProperty("log_every")
        public Builder logEvery(int v) {
            this.logEvery = v;
            return this;
        }

        @JsonProperty("checkpoint_every")
        public Builder checkpointEvery(int v) {
            this.checkpointEvery = v;
            return this;
        }

        @JsonProperty("keep_checkpoints")
        public Builder keepCheckpoints(int v) {
            this.keepCheckpoints = v;
            return this;
        }

        @JsonProperty("sample_every")
        public Builder sampleEvery(int v) {
            this.sampleEvery = v;
            return this;
        }

        @JsonProperty("sample_steps")
        public Builder sampleSteps(int v) {
            this.sampleSteps = v;
            return this;
        }

        @JsonProperty("ema_warmup")
        public Builder emaWarmup(boolean v) {
            this.emaWarmup = v;
            return this;
        }

        @JsonProperty("time_limit")
        public Builder timeLimit(String v) {
            this.timeLimit = v;
            return this;
        }

        @JsonProperty("recompute")
        public Builder recompute(boolean v) {
            this.recompute = v;
            return this;
        }

        @JsonProperty("token_drop")
        public Builder tokenDrop(double v) {
            this.tokenDrop = v;
            return this;
        }

        @JsonProperty("token_drop_until")
        public Builder tokenDropUntil(double v) {
            this.tokenDropUntil = v;
            return this;
        }

        @JsonProperty("guide_at")
        public Builder guideAt(double v) {
            this.guideAt = v;
            return this;
        }

        /** The recipe; throws {@link T2iException} naming the first invalid field. */
        public TrainConfig build() {
            return new TrainConfig(batch, steps, epochs, lr, weightDecay, beta1, beta2, adamEps, textDropout,
                    timeSampling, schedule, warmupSteps, gradClip, emaDecay, flip, seed, logEvery, checkpointEvery,
                    keepCheckpoints, sampleEvery, sampleSteps, emaWarmup, timeLimit, recompute, tokenDrop, tokenDropUntil,
                    guideAt);
        }
    }
}
