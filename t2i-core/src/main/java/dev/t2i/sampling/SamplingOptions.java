package dev.t2i.sampling;

import dev.t2i.T2iException;

/**
 * How to sample one request's images: steps, guidance scale and interval, seed, integrator,
 * images per prompt, negative prompt. Every {@link ImageGenerator#generate generate} uses every field: the
 * seed and images per prompt say which images a request has and where their noise comes from,
 * the others how all of them are integrated (and must agree between requests sampled in one
 * batch: {@link #sameIntegrationAs}). A preset's, run's or bundle's defaults are
 * {@link dev.t2i.config.Preset.SampleDefaults}; the public API's request is
 * {@link dev.t2i.api.GenerationRequest}, resolved into one of these.
 *
 * @param steps          integration steps (50)
 * @param cfgScale       classifier-free guidance scale w (7.5); 1 disables guidance
 * @param seed           seed of the initial noise; image k of a request has the seed seed + k
 * @param sampler        integrator
 * @param imagesPerPrompt images for each prompt
 * @param negativePrompt text used in place of the null text, or null
 * @param cfgInterval    the times at which guidance applies ({@link GuidanceInterval#FULL}: all)
 * @param guideScale     autoguidance scale: how far the velocity is extrapolated away from the model's
 *                       guide model ({@link AutoGuidedVelocity}); 1 leaves the guide model out
 */
public record SamplingOptions(int steps, double cfgScale, long seed, Sampler sampler, int imagesPerPrompt,
        String negativePrompt, GuidanceInterval cfgInterval, double guideScale) {

    /** The largest autoguidance scale accepted. */
    public static final double MAX_GUIDE_SCALE = 10;

    /** Options without autoguidance. */
    public SamplingOptions(int steps, double cfgScale, long seed, Sampler sampler, int imagesPerPrompt,
            String negativePrompt, GuidanceInterval cfgInterval) {
        this(steps, cfgScale, seed, sampler, imagesPerPrompt, negativePrompt, cfgInterval, 1.0);
    }

    /** Options that guide at every time, as the reference does. */
    public SamplingOptions(int steps, double cfgScale, long seed, Sampler sampler, int imagesPerPrompt,
            String negativePrompt) {
        this(steps, cfgScale, seed, sampler, imagesPerPrompt, negativePrompt, GuidanceInterval.FULL);
    }

    /** Checks ranges with messages naming the option. */
    public SamplingOptions validate() {
        if (steps < 1 || steps > 1000) {
            throw new T2iException("steps must be between 1 and 1000, got " + steps);
        }
        if (!(cfgScale >= 0 && cfgScale <= 50)) {
            throw new T2iException("cfg scale must be between 0 and 50, got " + cfgScale);
        }
        if (imagesPerPrompt < 1 || imagesPerPrompt > 64) {
            throw new T2iException("images per prompt must be between 1 and 64, got " + imagesPerPrompt);
        }
        if (sampler == null) {
            throw new T2iException("no sampler given (use euler or heun)");
        }
        if (cfgInterval == null) {
            throw new T2iException("no guidance interval given (use 0,1 to guide at every time)");
        }
        if (!(guideScale >= 1 && guideScale <= MAX_GUIDE_SCALE)) {
            throw new T2iException("guide scale must be between 1 (no autoguidance) and " + (int) MAX_GUIDE_SCALE
                    + ", got " + guideScale);
        }
        return this;
    }

    /**
     * Whether images sampled with these options and with {@code other} can be integrated in one
     * batch: the same steps, guidance scales and interval, sampler and negative prompt (seeds and
     * image counts may differ).
     */
    public boolean sameIntegrationAs(SamplingOptions other) {
        return steps == other.steps && Double.compare(cfgScale, other.cfgScale) == 0
                && Double.compare(guideScale, other.guideScale) == 0
                && sampler.equals(other.sampler) && java.util.Objects.equals(negativePrompt, other.negativePrompt)
                && java.util.Objects.equals(cfgInterval, other.cfgInterval);
    }

    /** These options with the seed {@code s}. */
    public SamplingOptions withSeed(long s) {
        return new SamplingOptions(steps, cfgScale, s, sampler, imagesPerPrompt, negativePrompt, cfgInterval,
                guideScale);
    }

    /** These options with the guidance scale {@code w}. */
    public SamplingOptions withCfgScale(double w) {
        return new SamplingOptions(steps, w, seed, sampler, imagesPerPrompt, negativePrompt, cfgInterval, guideScale);
    }

    /** These options with guidance at the times {@code interval}. */
    public SamplingOptions withCfgInterval(GuidanceInterval interval) {
        return new SamplingOptions(steps, cfgScale, seed, sampler, imagesPerPrompt, negativePrompt, interval,
                guideScale);
    }

    /** These options for {@code n} images per prompt. */
    public SamplingOptions withImagesPerPrompt(int n) {
        return new SamplingOptions(steps, cfgScale, seed, sampler, n, negativePrompt, cfgInterval, guideScale);
    }

    /** These options with {@code text} in place of the null text (null: none). */
    public SamplingOptions withNegativePrompt(String text) {
        return new SamplingOptions(steps, cfgScale, seed, sampler, imagesPerPrompt, text, cfgInterval, guideScale);
    }

    /** These options with the autoguidance scale {@code w} (1: none). */
    public SamplingOptions withGuideScale(double w) {
        return new SamplingOptions(steps, cfgScale, seed, sampler, imagesPerPrompt, negativePrompt, cfgInterval, w);
    }
}
