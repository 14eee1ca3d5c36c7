package dev.t2i.api;

import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;

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
 */
public record ModelInfo(String path, int imageSize, int defaultSteps, double defaultCfgScale,
        GuidanceInterval defaultCfgInterval, Sampler defaultSampler, int formatVersion, String createdBy,
        String created, String clip, long ditParameters, Long trainingStep, boolean ema, double defaultGuideScale,
        boolean guideModel) {
}
