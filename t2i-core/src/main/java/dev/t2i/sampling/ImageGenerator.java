package dev.t2i.sampling;

import dev.t2i.T2iException;
import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.Conditioning;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.dit.DitNetwork;
import dev.t2i.flow.FlowMatching;
import dev.t2i.runtime.NativeArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Prompts (or class labels) in, images out: noise from the seed, guided velocity, integration.
 * Image k of a request starts from the noise of seed + k alone, so an image does not depend on
 * how requests were batched together, and image k of a request with seed s equals the only
 * image of the same request with seed s + k.
 *
 * <p>Image-to-image: with an initial image x0 and a strength S in [0, 1], sampling starts from
 * the flow's own interpolation x_S = (1 − S)·x0 + S·noise at time S and integrates from there
 * to 0 over the requested steps. S = 0 returns x0; S = 1 starts from pure noise and is exactly
 * text-to-image with the same seed.
 */
public final class ImageGenerator {
    private final DitNetwork model;
    private final Conditioner conditioner;
    /** The weaker snapshot of the model that autoguidance extrapolates away from, or null. */
    private final DitNetwork guide;

    /** A generator without a guide model (autoguidance unavailable). */
    public ImageGenerator(DitNetwork model, Conditioner conditioner) {
        this(model, conditioner, null);
    }

    /**
     * @param guide a weaker snapshot of {@code model} (an earlier point of the same training run,
     *              the same graph and text centring) for options with a guide scale above 1
     *              ({@link AutoGuidedVelocity}), or null
     */
    public ImageGenerator(DitNetwork model, Conditioner conditioner, DitNetwork guide) {
        if (guide != null && !guide.config().equals(model.config())) {
            throw new IllegalArgumentException("the guide model's shape differs from the model's; it must be an"
                    + " earlier snapshot of the same run");
        }
        this.model = model;
        this.conditioner = conditioner;
        this.guide = guide;
    }

    public DitNetwork model() {
        return model;
    }

    public Conditioner conditioner() {
        return conditioner;
    }

    /** The guide model for autoguidance, or null when there is none. */
    public DitNetwork guide() {
        return guide;
    }

    /**
     * Generates {@code imagesPerPrompt} images per prompt, prompt-major, as [N, C, H, W] in
     * about [-1, 1]. {@code labels} is used instead of prompts by class-conditional models.
     */
    public INDArray generate(List<String> prompts, int[] labels, SamplingOptions options) {
        return generate(prompts, labels, options, null, 1.0, StepMonitor.NONE);
    }

    /**
     * As {@link #generate(List, int[], SamplingOptions)}, starting every image from {@code init}
     * ([1, C, H, W] in [-1, 1], or null for text-to-image) at strength {@code strength}, with a
     * monitor that sees each step (and may cancel by throwing
     * {@link java.util.concurrent.CancellationException}).
     */
    public INDArray generate(List<String> prompts, int[] labels, SamplingOptions options, INDArray init,
            double strength, StepMonitor monitor) {
        options.validate();
        int n = options.imagesPerPrompt();
        int count = labels != null ? labels.length : prompts.size();
        List<String> rowsText = new ArrayList<>();
        int[] rowsLabel = labels == null ? null : new int[count * n];
        for (int p = 0; p < count; p++) {
            for (int k = 0; k < n; k++) {
                if (prompts != null) {
                    rowsText.add(prompts.get(p));
                }
                if (labels != null) {
                    rowsLabel[p * n + k] = labels[p];
                }
            }
        }
        INDArray noise = initialNoise(count * n, options.seed());
        INDArray inits = null;
        if (init != null) {
            checkInit(init);
            inits = Nd4j.concat(0, java.util.Collections.nCopies(count * n, init).toArray(new INDArray[0]));
        }
        return sample(rowsText, rowsLabel, noise, inits, strength, options, monitor);
    }
    /**
     * One request's share of a batch assembled from several: its prompts and its own options (the
     * seed and images per prompt of each request are its own; steps, guidance scale, sampler and
     * negative prompt must be the same for all requests of a batch), and for image-to-image the
     * image it starts from.
     *
     * @param prompts the prompts, each giving {@code options.imagesPerPrompt()} images
     * @param options how the request is sampled; image k of it starts from the noise of seed + k
     * @param init    the image to start from, [1, C, H, W] in [-1, 1], or null for text-to-image
     */
    public record Request(List<String> prompts, SamplingOptions options, INDArray init) {
        /** A text-to-image request. */
        public Request(List<String> prompts, SamplingOptions options) {
            this(prompts, options, null);
        }

        /** Images this request produces: prompts × images per prompt. */
        public int imageCount() {
            return prompts.size() * options.imagesPerPrompt();
        }
    }

    /**
     * Generates the images of several requests in one batch, request after request and each
     * prompt-major, as [N, C, H, W]: exactly the images each request would give alone with
     * {@link #generate(List, int[], SamplingOptions, INDArray, double, StepMonitor)}.
     *
     * @param requests the requests; they must agree on steps, guidance scale, sampler and
     *                 negative prompt ({@link SamplingOptions#sameIntegrationAs}), and either all
     *                 or none have an initial image
     * @param strength the image-to-image strength of all of them (1 for text-to-image)
     * @param monitor  sees each step of the batch
     * @throws IllegalArgumentException when the requests cannot share a batch
     */
    public INDArray generate(List<Request> requests, double strength, StepMonitor monitor) {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no requests to generate");
        }
        SamplingOptions options = requests.get(0).options().validate();
        boolean withInit = requests.get(0).init() != null;
        List<INDArray> rows = new ArrayList<>();
        List<INDArray> inits = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int r = 0; r < requests.size(); r++) {
            Request req = requests.get(r);
            SamplingOptions o = req.options().validate();
            if (!o.sameIntegrationAs(options)) {
                throw new IllegalArgumentException("request " + r + " differs from request 0 in steps, guidance scale,"
                        + " sampler or negative prompt, so they cannot share a batch");
            }
            if ((req.init() != null) != withInit) {
                throw new IllegalArgumentException("request " + r + (withInit ? " has no initial image but request 0"
                        + " has" : " has an initial image but request 0 has none"));
            }
            if (req.init() != null) {
                checkInit(req.init());
            }
            int n = o.imagesPerPrompt();
            for (int p = 0; p < req.prompts().size(); p++) {
                for (int k = 0; k < n; k++) {
                    rows.add(imageNoise(o.seed() + p * n + k));
                    texts.add(req.prompts().get(p));
                    if (req.init() != null) {
                        inits.add(req.init());
                    }
                }
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no images to generate");
        }
        INDArray init = withInit ? Nd4j.concat(0, inits.toArray(new INDArray[0])) : null;
        return sample(texts, null, Nd4j.concat(0, rows.toArray(new INDArray[0])), init, strength, options, monitor);
    }

    /** Checks that {@code init} is one image of the model's size: [1, C, H, W]. */
    private void checkInit(INDArray init) {
        var cfg = model.config();
        long[] want = {1, cfg.inChannels(), cfg.imgSize(), cfg.imgSize()};
        if (!Arrays.equals(init.shape(), want)) {
            throw new IllegalArgumentException("the initial image must be " + Arrays.toString(want) + ", got "
                    + Arrays.toString(init.shape()));
        }
    }

    /**
     * Where sampling starts: noise at strength 1, the initial images at 0, and the flow's
     * interpolation (1 − S)·init + S·noise in between.
     */
    static INDArray start(INDArray noise, INDArray init, double strength) {
        if (init == null || strength == 1.0) {
            return noise;
        }
        if (strength == 0.0) {
            return init.dup();
        }
        return init.mul(1.0 - strength).addi(noise.mul(strength));
    }

    /** Checks an image-to-image strength. */
    public static void checkStrength(double strength) {
        if (!(strength >= 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be between 0 and 1, got " + strength
                    + " (0 keeps the initial image, 1 ignores it)");
        }
    }

    private INDArray sample(List<String> rowsText, int[] rowsLabel, INDArray noise, INDArray init, double strength,
            SamplingOptions options, StepMonitor monitor) {
        checkStrength(strength);
        if (init == null && strength != 1.0) {
            throw new IllegalArgumentException("a strength below 1 needs an initial image");
        }
        INDArray x = start(noise, init, strength);
        if (strength == 0.0) {
            // nothing to integrate: the flow at t = 0 is the initial image itself
            return x;
        }
        Conditioner c = conditioner;
        if (options.negativePrompt() != null && c instanceof TextConditioner tc) {
            c = tc.withNullText(options.negativePrompt());
        }
        int rows = (int) noise.size(0);
        Conditioning cond = c.encode(rowsText, rowsLabel, null);
        Conditioning uncond = c.nullCondition(rows);
        boolean autoguided = options.guideScale() != 1.0;
        if (autoguided && guide == null) {
            throw new T2iException("guide scale " + options.guideScale() + " needs a guide model and this model has"
                    + " none (train with train.guide_at to keep one, or sample with guide scale 1)");
        }
        try (GuidedVelocity main = new GuidedVelocity(model, cond, uncond, options.cfgScale(), options.cfgInterval());
                GuidedVelocity weaker = autoguided ? new GuidedVelocity(guide, cond, uncond, 1.0) : null) {
            VelocityField field = autoguided ? new AutoGuidedVelocity(main, weaker, options.guideScale()) : main;
            return options.sampler().integrate(field, x, strength, options.steps(), monitor);
        } finally {
            // a server samples for hours: what a request made is freed now, not at some later collection
            NativeArrays.closeAll(Arrays.asList(cond.context(), cond.mask(), cond.labels(), uncond.context(),
                    uncond.mask(), uncond.labels()));
        }
    }

    /** The starting noise of {@code count} images: image k from the noise of seed + k. */
    public INDArray initialNoise(int count, long seed) {
        INDArray[] rows = new INDArray[count];
        for (int k = 0; k < count; k++) {
            rows[k] = imageNoise(seed + k);
        }
        return Nd4j.concat(0, rows);
    }

    /** The starting noise of one image with its own seed. */
    private INDArray imageNoise(long imageSeed) {
        var cfg = model.config();
        return FlowMatching.noise(FlowMatching.imageRandom(imageSeed, 0), 1, cfg.inChannels(), cfg.imgSize(),
                cfg.imgSize());
    }
}
