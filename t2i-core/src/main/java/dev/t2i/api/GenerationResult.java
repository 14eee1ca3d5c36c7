package dev.t2i.api;

import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;

/**
 * The images of one request, in request order (prompt-major), with the settings actually used
 * and where the time went. Image k has the seed seed + k; its {@link #parameters(int)
 * parameters} (prompt, seed, settings, model) travel inside its {@link #png(int) PNG}.
 */
public final class GenerationResult {
    private final List<BufferedImage> images;
    private final List<String> prompts;
    private final List<GenerationParameters> parameters;
    private final long seed;
    private final int steps;
    private final double cfgScale;
    private final GuidanceInterval cfgInterval;
    private final Sampler sampler;
    private final Duration queueTime;
    private final Duration generationTime;
    private final int batchImages;

    GenerationResult(List<BufferedImage> images, List<String> prompts, List<GenerationParameters> parameters,
            long seed, int steps, double cfgScale, GuidanceInterval cfgInterval, Sampler sampler, Duration queueTime,
            Duration generationTime, int batchImages) {
        this.images = List.copyOf(images);
        this.prompts = List.copyOf(prompts);
        this.parameters = List.copyOf(parameters);
        this.seed = seed;
        this.steps = steps;
        this.cfgScale = cfgScale;
        this.cfgInterval = cfgInterval;
        this.sampler = sampler;
        this.queueTime = queueTime;
        this.generationTime = generationTime;
        this.batchImages = batchImages;
    }

    /** How many images. */
    public int size() {
        return images.size();
    }

    /** The images as RGB (shared instances: copy before drawing on them). */
    public List<BufferedImage> images() {
        return images;
    }

    /** Image {@code i}. */
    public BufferedImage image(int i) {
        return images.get(i);
    }

    /** Image {@code i} encoded as PNG with its generation parameters inside (encoded on each call). */
    public byte[] png(int i) {
        return parameters.get(i).png(images.get(i));
    }

    /** All images encoded as PNG, each with its parameters. */
    public List<byte[]> pngs() {
        return java.util.stream.IntStream.range(0, images.size()).mapToObj(this::png).toList();
    }

    /** How image {@code i} was made: enough to make it again ({@code t2i sample --from}). */
    public GenerationParameters parameters(int i) {
        return parameters.get(i);
    }

    /** The prompt of each image. */
    public List<String> prompts() {
        return prompts;
    }

    /** The request's seed (the drawn one when the request gave none). */
    public long seed() {
        return seed;
    }

    /** The seed of each image: image k has the request's seed + k (alone with that seed, it is the same image). */
    public List<Long> seeds() {
        return java.util.stream.LongStream.range(0, images.size()).mapToObj(k -> seed + k).toList();
    }

    /** Integration steps used. */
    public int steps() {
        return steps;
    }

    /** Guidance scale used. */
    public double cfgScale() {
        return cfgScale;
    }

    /** The times at which guidance applied ({@link GuidanceInterval#FULL}: all). */
    public GuidanceInterval cfgInterval() {
        return cfgInterval;
    }

    /** Integrator used. */
    public Sampler sampler() {
        return sampler;
    }

    /** Time between submission and the start of its batch. */
    public Duration queueTime() {
        return queueTime;
    }

    /** Time its batch took to generate (shared with the other requests of the batch). */
    public Duration generationTime() {
        return generationTime;
    }

    /** Queue time plus generation time. */
    public Duration totalTime() {
        return queueTime.plus(generationTime);
    }

    /** Images in the batch this request ran in, its own included. */
    public int batchImages() {
        return batchImages;
    }
}
