package dev.t2i.flow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunState(
        @JsonProperty("step") long step,
        @JsonProperty("total_steps") long totalSteps,
        @JsonProperty("train") TrainConfig train,
        @JsonProperty("data") String data,
        @JsonProperty("conditioning") String conditioning,
        @JsonProperty("clip") String clip) {
}
