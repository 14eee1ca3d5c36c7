package dev.t2i.sampling;

import dev.t2i.T2iException;

/**
 * How to sample: steps, guidance scale, seed, integrator, images per prompt, negative prompt.
 *
 * @param steps          integration steps (50)
 * @param cfgScale       classifier-free guidance scale w (7.5); 1 disables guidance
 * @param seed           seed of the initial noise; image k of a request has the seed seed + k
 * @param sampler        integrator
 * @param imagesPerPrompt images for each prompt
 * @param negativePrompt text used in place of the null text, or null
 */
public record SamplingOptions(int steps, double cfgScale, long seed, Sampler sampler, int imagesPerPrompt,
        String negativePrompt) {

    /** The reference's defaults: 50 Euler steps, w = 7.5, one image per prompt. */
    public static SamplingOptions defaults() {
        return new SamplingOptions(50, 7.5, 0, Sampler.EULER, 1, null);
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
        return this;
    }

    public SamplingOptions withSeed(long s) {
        return new SamplingOptions(steps, cfgScale, s, sampler, imagesPerPrompt, negativePrompt);
    }

    public SamplingOptions withCfgScale(double w) {
        return new SamplingOptions(steps, w, seed, sampler, imagesPerPrompt, negativePrompt);
    }
}
