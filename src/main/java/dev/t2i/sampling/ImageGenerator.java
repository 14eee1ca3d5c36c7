package dev.t2i.sampling;

import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.Conditioning;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.dit.DitModel;
import dev.t2i.flow.FlowMatching;
import dev.t2i.nn.NativeArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Prompts (or class labels) in, images out: noise from the seed, guided velocity, integration.
 * Image k of a request starts from the noise stream (seed, k), so an image does not depend on
 * how requests were batched together.
 */
public final class ImageGenerator {
    private final DitModel model;
    private final Conditioner conditioner;

    public ImageGenerator(DitModel model, Conditioner conditioner) {
        this.model = model;
        this.conditioner = conditioner;
    }

    public DitModel model() {
        return model;
    }

    public Conditioner conditioner() {
        return conditioner;
    }

    /**
     * Generates {@code imagesPerPrompt} images per prompt, prompt-major, as [N, C, H, W] in
     * about [-1, 1]. {@code labels} is used instead of prompts by class-conditional models.
     */
    public INDArray generate(List<String> prompts, int[] labels, SamplingOptions options) {
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
        return sample(rowsText, rowsLabel, initialNoise(count * n, options.seed()), options);
    }

    /**
     * One image of a batch assembled from several requests: its prompt and the noise stream
     * (seed, index) it starts from.
     *
     * @param prompt the text the image is conditioned on
     * @param seed   the seed of the request it belongs to
     * @param index  its position within that request
     */
    public record ImageSpec(String prompt, long seed, int index) {
    }

    /**
     * Generates one image per spec, in order, as [N, C, H, W]. Image i starts from the noise
     * stream (seed, index) of its spec, so it equals image {@code index} of a request made alone
     * with that seed. The seed and images-per-prompt of {@code options} are not used.
     */
    public INDArray generate(List<ImageSpec> images, SamplingOptions options) {
        options.validate();
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to generate");
        }
        var cfg = model.config();
        INDArray[] rows = new INDArray[images.size()];
        List<String> texts = new ArrayList<>(images.size());
        for (int i = 0; i < rows.length; i++) {
            ImageSpec s = images.get(i);
            rows[i] = FlowMatching.noise(FlowMatching.imageRandom(s.seed(), s.index()), 1, cfg.inChannels(),
                    cfg.imgSize(), cfg.imgSize());
            texts.add(s.prompt());
        }
        return sample(texts, null, Nd4j.concat(0, rows), options);
    }

    private INDArray sample(List<String> rowsText, int[] rowsLabel, INDArray noise, SamplingOptions options) {
        Conditioner c = conditioner;
        if (options.negativePrompt() != null && c instanceof TextConditioner tc) {
            c = tc.withNullText(options.negativePrompt());
        }
        int rows = (int) noise.size(0);
        Conditioning cond = c.encode(rowsText, rowsLabel, null);
        Conditioning uncond = c.nullCondition(rows);
        try (GuidedVelocity field = new GuidedVelocity(model, cond, uncond, options.cfgScale())) {
            return options.sampler().integrate(field, noise, options.steps());
        } finally {
            // a server samples for hours: what a request made is freed now, not at some later collection
            NativeArrays.closeAll(Arrays.asList(cond.context(), cond.mask(), cond.labels(), uncond.context(),
                    uncond.mask(), uncond.labels()));
        }
    }

    /** The starting noise of {@code count} images: image k from the stream (seed, k). */
    public INDArray initialNoise(int count, long seed) {
        var cfg = model.config();
        INDArray[] rows = new INDArray[count];
        for (int k = 0; k < count; k++) {
            rows[k] = FlowMatching.noise(FlowMatching.imageRandom(seed, k), 1, cfg.inChannels(), cfg.imgSize(),
                    cfg.imgSize());
        }
        return Nd4j.concat(0, rows);
    }
}
