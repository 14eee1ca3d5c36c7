package dev.t2i.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.t2i.config.Preset;
import dev.t2i.config.TrainConfig;

/**
 * Where a run stands, stored in every checkpoint. The random draws of step s are a function of
 * (seed, s), so step and seed are all the random state a resume needs.
 *
 * @param step         steps completed
 * @param totalSteps   steps the run was asked for
 * @param train        the recipe
 * @param data         description of the data
 * @param conditioning description of the conditioner (e.g. which CLIP)
 * @param clip         how to rebuild the text encoder: {@code random:SEED} or a path, or null
 * @param sample       the run's sampling defaults (null in checkpoints written before they were recorded)
 * @param elapsedSeconds wall time the training loop has run so far, across resumes (for the time budget)
 * @param tally        the running loss sums of the unfinished log interval and epoch, so a resumed
 *                     run's first metrics row and epoch mean count the steps before the interruption
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunState(
        @JsonProperty("step") long step,
        @JsonProperty("total_steps") long totalSteps,
        @JsonProperty("train") TrainConfig train,
        @JsonProperty("data") String data,
        @JsonProperty("conditioning") String conditioning,
        @JsonProperty("clip") String clip,
        @JsonProperty("sample") Preset.SampleDefaults sample,
        @JsonProperty("elapsed_s") double elapsedSeconds,
        @JsonProperty("tally") LossTally tally) {

    /** Loss sums of the open log interval and epoch. */
    public record LossTally(@JsonProperty("interval_loss") double intervalLoss,
            @JsonProperty("interval_steps") int intervalSteps,
            @JsonProperty("interval_seconds") double intervalSeconds,
            @JsonProperty("epoch_loss") double epochLoss,
            @JsonProperty("epoch_steps") int epochSteps) {
        static final LossTally EMPTY = new LossTally(0, 0, 0, 0, 0);
    }
}
