package dev.t2i.spark;

import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.ModelIdentity;
import dev.t2i.api.ModelInfo;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * One row of the prompt table with the job's defaults filled in: everything an executor needs to
 * make its images, and nothing that depends on which partition it lands in. Unset steps, cfg,
 * guidance interval and sampler (null) take the bundle's defaults.
 *
 * @param row      the row's number in the table (0-based), which names its files
 * @param prompt   the prompt
 * @param seed     the seed of image 0; image k has seed + k
 * @param n        images of this row
 * @param steps    integration steps, or null for the bundle's default
 * @param cfg      guidance scale, or null for the bundle's default
 * @param cfgInterval the times at which guidance applies, or null for the bundle's default
 * @param negative negative prompt, or null
 * @param sampler  integrator name, or null for the bundle's default
 */
public record PromptRow(long row, String prompt, long seed, int n, Integer steps, Double cfg,
        GuidanceInterval cfgInterval, String negative, String sampler) implements Serializable {

    /** A row without a seed gets the job's base seed + this × its row number, as {@code t2i generate-batch}. */
    public static final long ROW_SEED_STRIDE = 1000;

    public PromptRow {
        Objects.requireNonNull(prompt, "prompt");
    }

    /** The file name of image k, the same as {@code t2i generate-batch} writes. */
    public String file(int k) {
        return String.format(Locale.ROOT, "row-%05d-%d.png", row, k);
    }

    /** The API request for this row's images (checked: a bad value fails with the row's number). */
    public GenerationRequest request() {
        GenerationRequest.Builder b = GenerationRequest.builder(prompt).seed(seed).imagesPerPrompt(n);
        if (steps != null) {
            b.steps(steps);
        }
        if (cfg != null) {
            b.cfgScale(cfg);
        }
        b.cfgInterval(cfgInterval);
        if (negative != null) {
            b.negativePrompt(negative);
        }
        if (sampler != null) {
            b.sampler(sampler);
        }
        return b.build();
    }

    /**
     * Whether an existing PNG's parameters are those this row would write for image k with this
     * model: a file from an edited row or another model is made again.
     */
    boolean matches(GenerationParameters p, int k, ModelInfo info, ModelIdentity id) {
        int s = steps != null ? steps : info.defaultSteps();
        double w = cfg != null ? cfg : info.defaultCfgScale();
        GuidanceInterval times = cfgInterval != null ? cfgInterval : info.defaultCfgInterval();
        Sampler sam = sampler != null ? Sampler.parse(sampler) : info.defaultSampler();
        return p.prompt().equals(prompt) && Objects.equals(p.negativePrompt(), negative) && p.seed() == seed + k
                && p.steps() == s && p.cfgScale() == w && p.cfgIntervalValue().equals(times) && p.samplerValue().equals(sam) && id.hash().equals(p.modelHash())
                && p.strength() == null;
    }
}
