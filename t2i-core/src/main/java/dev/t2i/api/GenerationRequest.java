package dev.t2i.api;

import dev.t2i.T2iException;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One call's worth of work: prompts, how many images of each, and the sampling settings. Unset
 * settings (null) take the bundle's defaults; an unset seed is drawn at random and reported in
 * the {@link GenerationResult}. Immutable; build with {@link #builder(String)}.
 *
 * <p>Image k of a request (prompt-major: all images of prompt 0, then of prompt 1, ...) has the
 * seed seed + k and starts from that seed's noise alone, so the same request gives the same
 * images however the model batches it with others, and image k can be made again alone with
 * seed + k.
 *
 * <p>With an {@link Builder#initImage initial image} the request is image-to-image: sampling
 * starts from the image noised to time {@link Builder#strength strength} (0 returns the image,
 * 1 is text-to-image).
 */
public final class GenerationRequest {
    /** The most images one request may ask for (prompts × images per prompt). */
    public static final int MAX_IMAGES = 64;
    /** The most integration steps a request may ask for. */
    public static final int MAX_STEPS = 1000;
    /** The largest guidance scale a request may ask for. */
    public static final double MAX_CFG_SCALE = 50;
    /** The image-to-image strength used when an initial image is given without one. */
    public static final double DEFAULT_STRENGTH = 0.75;

    private final List<String> prompts;
    private final int imagesPerPrompt;
    private final Integer steps;
    private final Double cfgScale;
    private final GuidanceInterval cfgInterval;
    private final Double guideScale;
    private final Sampler sampler;
    private final String negativePrompt;
    private final Long seed;
    private final BufferedImage initImage;
    private final double strength;

    private GenerationRequest(Builder b) {
        this.prompts = List.copyOf(b.prompts);
        this.imagesPerPrompt = b.imagesPerPrompt;
        this.steps = b.steps;
        this.cfgScale = b.cfgScale;
        this.cfgInterval = b.checkedInterval;
        this.guideScale = b.guideScale;
        this.sampler = b.sampler;
        this.negativePrompt = b.negativePrompt;
        this.seed = b.seed;
        this.initImage = b.initImage;
        this.strength = b.strength != null ? b.strength : b.initImage != null ? DEFAULT_STRENGTH : 1.0;
    }

    /** A builder for images of one prompt. */
    public static Builder builder(String prompt) {
        return new Builder(List.of(Objects.requireNonNull(prompt, "prompt must not be null")));
    }

    /** A builder for images of several prompts, generated prompt by prompt. */
    public static Builder builder(List<String> prompts) {
        Objects.requireNonNull(prompts, "prompts must not be null");
        return new Builder(prompts);
    }

    /** One image of one prompt with the bundle's default settings and a random seed. */
    public static GenerationRequest of(String prompt) {
        return builder(prompt).build();
    }

    /** The prompts, in the order their images come back. */
    public List<String> prompts() {
        return prompts;
    }

    /** Images generated for each prompt. */
    public int imagesPerPrompt() {
        return imagesPerPrompt;
    }

    /** Images this request produces: prompts × images per prompt. */
    public int imageCount() {
        return prompts.size() * imagesPerPrompt;
    }

    /** Integration steps, or null for the bundle's default. */
    public Integer steps() {
        return steps;
    }

    /** Classifier-free guidance scale, or null for the bundle's default. */
    public Double cfgScale() {
        return cfgScale;
    }

    /** The times at which guidance applies, or null for the bundle's default. */
    public GuidanceInterval cfgInterval() {
        return cfgInterval;
    }

    /** The autoguidance scale, or null for the bundle's default. */
    public Double guideScale() {
        return guideScale;
    }

    /** The integrator, or null for the bundle's default. */
    public Sampler sampler() {
        return sampler;
    }

    /** Text used in place of the empty prompt for guidance, or null for none. */
    public String negativePrompt() {
        return negativePrompt;
    }

    /** The noise seed, or null for a random one. */
    public Long seed() {
        return seed;
    }

    /** The image to start from (image-to-image), or null for text-to-image. */
    public BufferedImage initImage() {
        return initImage;
    }

    /** How far the initial image is noised before sampling, 0 to 1; 1 without an initial image. */
    public double strength() {
        return strength;
    }

    @Override
    public String toString() {
        return "GenerationRequest" + prompts + " x" + imagesPerPrompt + " steps=" + steps + " cfg=" + cfgScale
                + (cfgInterval == null ? "" : " cfgInterval=" + cfgInterval)
                + (guideScale == null ? "" : " guideScale=" + guideScale)
                + " sampler=" + sampler + " seed=" + seed
                + (negativePrompt == null ? "" : " negative=" + negativePrompt)
                + (initImage == null ? "" : " init=" + initImage.getWidth() + "x" + initImage.getHeight()
                + " strength=" + strength);
    }

    /** Collects a request's settings; {@link #build()} checks them. */
    public static final class Builder {
        private final List<String> prompts;
        private int imagesPerPrompt = 1;
        private Integer steps;
        private Double cfgScale;
        private Double cfgFrom;
        private Double cfgTo;
        /** The interval {@link #build} checked. */
        private GuidanceInterval checkedInterval;
        private Double guideScale;
        private Sampler sampler;
        private String negativePrompt;
        private Long seed;
        private BufferedImage initImage;
        private Double strength;

        private Builder(List<String> prompts) {
            this.prompts = new ArrayList<>(prompts);
        }

        /** Images per prompt (default 1). */
        public Builder imagesPerPrompt(int n) {
            this.imagesPerPrompt = n;
            return this;
        }

        /** Integration steps, 1 to {@value GenerationRequest#MAX_STEPS}; more steps, finer images, slower. */
        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        /** Guidance scale, 0 to 50; 1 turns guidance off, higher follows the prompt more closely. */
        public Builder cfgScale(double w) {
            this.cfgScale = w;
            return this;
        }

        /**
         * Guidance only at the times t in [from, to] (1 is noise, 0 the image), the conditional
         * velocity alone elsewhere; 0 and 1 guide at every time, as the reference does. Guiding
         * the middle of the path keeps more variety for the same adherence.
         */
        public Builder cfgInterval(double from, double to) {
            this.cfgFrom = from;
            this.cfgTo = to;
            return this;
        }

        /**
         * Guidance only at the times of {@code interval} (see {@link #cfgInterval(double, double)});
         * null for the model's default.
         */
        public Builder cfgInterval(GuidanceInterval interval) {
            this.cfgFrom = interval == null ? null : interval.from();
            this.cfgTo = interval == null ? null : interval.to();
            return this;
        }

        /**
         * Autoguidance scale, 1 to {@value SamplingOptions#MAX_GUIDE_SCALE}: how far each step steps
         * away from the velocity of the model's guide model (its own earlier weights); 1 leaves
         * the guide out, a model without a guide model takes only 1. Null for the model's default.
         */
        public Builder guideScale(Double w) {
            this.guideScale = w;
            return this;
        }

        /** The integrator. */
        public Builder sampler(Sampler s) {
            this.sampler = Objects.requireNonNull(s, "sampler must not be null");
            return this;
        }

        /** The integrator by name: {@code euler} or {@code heun}. */
        public Builder sampler(String name) {
            this.sampler = Sampler.parse(Objects.requireNonNull(name, "sampler must not be null"));
            return this;
        }

        /** Text to steer away from, used in place of the empty prompt for guidance; null for none. */
        public Builder negativePrompt(String text) {
            this.negativePrompt = text;
            return this;
        }

        /** The noise seed; the same seed and settings give the same images. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Makes this an image-to-image request starting from {@code image} (any size: it is
         * scaled to the model's); null for text-to-image.
         */
        public Builder initImage(BufferedImage image) {
            this.initImage = image;
            return this;
        }

        /**
         * Image-to-image strength, 0 to 1 (default {@value GenerationRequest#DEFAULT_STRENGTH} with
         * an initial image): sampling starts from (1 − S)·image + S·noise at time S. 0 returns the
         * image, 1 ignores it.
         */
        public Builder strength(double s) {
            this.strength = s;
            return this;
        }

        /**
         * The request.
         *
         * @throws IllegalArgumentException naming the first setting out of range
         */
        public GenerationRequest build() {
            if (prompts.isEmpty()) {
                throw new IllegalArgumentException("a request needs at least one prompt");
            }
            for (int i = 0; i < prompts.size(); i++) {
                if (prompts.get(i) == null) {
                    throw new IllegalArgumentException("prompt " + i + " is null (use \"\" for an empty prompt)");
                }
            }
            if (imagesPerPrompt < 1) {
                throw new IllegalArgumentException("images per prompt must be at least 1, got " + imagesPerPrompt);
            }
            if ((long) imagesPerPrompt * prompts.size() > MAX_IMAGES) {
                throw new IllegalArgumentException("a request may ask for at most " + MAX_IMAGES + " images, this one"
                        + " asks for " + (long) imagesPerPrompt * prompts.size() + " (split it)");
            }
            if (steps != null && (steps < 1 || steps > MAX_STEPS)) {
                throw new IllegalArgumentException("steps must be between 1 and " + MAX_STEPS + ", got " + steps);
            }
            if (cfgScale != null && !(cfgScale >= 0 && cfgScale <= MAX_CFG_SCALE)) {
                throw new IllegalArgumentException("cfg scale must be between 0 and " + MAX_CFG_SCALE + ", got "
                        + cfgScale);
            }
            if (guideScale != null && !(guideScale >= 1 && guideScale <= SamplingOptions.MAX_GUIDE_SCALE)) {
                throw new IllegalArgumentException("guide scale must be between 1 (no autoguidance) and "
                        + (int) SamplingOptions.MAX_GUIDE_SCALE + ", got " + guideScale);
            }
            try {
                // GuidanceInterval holds the rule; the API names a bad setting with IllegalArgumentException
                checkedInterval = cfgFrom == null ? null : new GuidanceInterval(cfgFrom, cfgTo);
            } catch (T2iException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (strength != null) {
                if (!(strength >= 0 && strength <= 1)) {
                    throw new IllegalArgumentException("strength must be between 0 and 1, got " + strength
                            + " (0 keeps the initial image, 1 ignores it)");
                }
                if (initImage == null && strength != 1.0) {
                    throw new IllegalArgumentException("a strength below 1 needs an initial image");
                }
            }
            return new GenerationRequest(this);
        }
    }
}
