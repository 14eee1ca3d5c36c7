package dev.t2i.api;

import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.TrainingCaptions;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import java.util.List;
import java.util.Optional;

/**
 * What a loaded bundle holds and how it was made.
 *
 * @param path            the bundle file
 * @param imageSize       height and width of the generated images, in pixels
 * @param defaultSteps    integration steps used when a request gives none
 * @param defaultCfgScale guidance scale used when a request gives none
 * @param defaultCfgInterval the times guided when a request gives none
 * @param defaultSampler  integrator used when a request gives none
 * @param formatVersion   the bundle's format version
 * @param createdBy       the tool that wrote it, e.g. {@code t2i 0.1.0-SNAPSHOT}
 * @param created         when it was written (ISO-8601)
 * @param clip            the text encoder it was bundled from ({@code random:SEED} or a path)
 * @param ditParameters   trainable scalars of the DiT
 * @param trainingStep    the training step of the weights, or null when unknown
 * @param ema             whether the DiT holds EMA weights
 * @param defaultGuideScale autoguidance scale used when a request gives none (1: none)
 * @param guideModel      whether the bundle holds a guide model, so that requests may autoguide
 * @param trainingCaptions the distinct captions the model was trained on; empty when the bundle
 *                        does not record them
 */
public record ModelInfo(String path, int imageSize, int defaultSteps, double defaultCfgScale,
        GuidanceInterval defaultCfgInterval, Sampler defaultSampler, int formatVersion, String createdBy,
        String created, String clip, long ditParameters, Long trainingStep, boolean ema, double defaultGuideScale,
        boolean guideModel, List<String> trainingCaptions) {

    /** Copies the captions, so that the description cannot change under its readers. */
    public ModelInfo {
        trainingCaptions = trainingCaptions == null ? List.of() : List.copyOf(trainingCaptions);
    }

    /** Whether the text encoder is an untrained, seeded one ({@code random:SEED}, the offline default). */
    public boolean untrainedTextEncoder() {
        return ClipTextEncoder.isRandomSpec(clip);
    }

    /**
     * A one-line warning when this model may not understand {@code prompt}: its text encoder is
     * untrained and the prompt is not one of its training captions (case and white space aside).
     * Empty otherwise, and always for models with a trained text encoder or unknown captions.
     */
    public Optional<String> promptWarning(String prompt) {
        return TrainingCaptions.of(trainingCaptions, untrainedTextEncoder()).warning(prompt);
    }
}
