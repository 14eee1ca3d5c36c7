package dev.t2i.api;

import dev.t2i.Version;
import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.config.Preset;
import dev.t2i.image.Images;
import dev.t2i.platform.CudaCheck;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SamplingOptions;
import dev.t2i.sampling.StepMonitor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A bundle loaded for generation, safe to call from many threads.
 *
 * <p>SameDiff graphs are not thread-safe, so one worker thread owns the model: callers queue
 * requests, and the worker runs the oldest together with every waiting request that has the
 * same steps, guidance scale, sampler and negative prompt, as one batch (up to
 * {@link BatchingOptions#maxBatchImages()} images). Image k of a request starts from the noise
 * of its request's seed + k, so a request gives the same images alone or batched. Every image
 * carries its {@link GenerationParameters} inside its PNG.
 *
 * <pre>{@code
 * try (T2iModel model = T2iModel.load(Path.of("model.t2i"))) {
 *     GenerationResult r = model.generate(GenerationRequest.builder("a red circle").seed(42).build());
 *     Files.write(Path.of("red-circle.png"), r.png(0));
 * }
 * }</pre>
 *
 * <p>ND4J's native ops use every core by default. On CPUs, calling
 * {@code Backend.configureThreads(1)} once at start-up (as the command line does) makes each op
 * single-threaded and lets {@link dev.t2i.runtime.Workers} run shards of every batch side by side,
 * one per core: measured faster for these graphs than multi-threaded ops.
 */
public final class T2iModel implements TextToImage {
    /** Distinct prompt encodings kept between batches before the cache is emptied. */
    private static final int MAX_CACHED_PROMPTS = 256;

    private final Bundle bundle;
    private final TextConditioner conditioner;
    private final ImageGenerator generator;
    private final ModelInfo info;
    private final ModelIdentity identity;
    private final RequestQueue queue;
    private final Thread worker;
    private volatile boolean closed;

    private T2iModel(Bundle bundle, BatchingOptions batching) {
        this.bundle = bundle;
        this.conditioner = bundle.conditioner();
        this.generator = new ImageGenerator(bundle.dit(), conditioner, bundle.guide());
        this.info = describe(bundle);
        this.identity = ModelIdentity.of(ModelIdentity.nameOf(bundle.path()), bundle.dit());
        this.queue = new RequestQueue(batching.maxQueuedRequests(), batching.maxBatchImages());
        this.worker = new Thread(this::work, "t2i-generator");
        // a model that was never closed must not keep the JVM alive
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Loads a bundle written by {@code t2i bundle}, with the default batching limits. */
    public static T2iModel load(Path bundle) {
        return load(bundle, BatchingOptions.defaults());
    }

    /**
     * Loads a bundle written by {@code t2i bundle}.
     *
     * @throws dev.t2i.T2iException when the file is missing, corrupt, truncated or of a newer format, or when
     *     this is the CUDA build and the GPU is one its kernels cannot run on
     */
    public static T2iModel load(Path bundle, BatchingOptions batching) {
        Objects.requireNonNull(bundle, "bundle path must not be null");
        Objects.requireNonNull(batching, "batching options must not be null");
        // before the bundle's graphs reach ND4J, whose CUDA backend dies in native code on such a GPU
        CudaCheck.requireSupportedGpu();
        return new T2iModel(Bundle.read(bundle), batching);
    }

    @Override
    public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
        return submit(request, null);
    }

    /**
     * Queues a request; {@code listener} (may be null) hears of every step. Cancelling the
     * returned future drops the request while it waits; while it runs, its batch stops within
     * one step once every request in it is cancelled, and the worker goes on to the next batch.
     */
    @Override
    public CompletableFuture<GenerationResult> submit(GenerationRequest request, ProgressListener listener) {
        Objects.requireNonNull(request, "request must not be null");
        if (closed) {
            throw new IllegalStateException("the model is closed; load it again");
        }
        INDArray init = null;
        if (request.initImage() != null) {
            init = Images.toTensor(List.of(InitImages.fit(request.initImage(), info.imageSize())));
        }
        PendingRequest p = new PendingRequest(request, resolve(request), System.nanoTime(), new CompletableFuture<>(),
                init, listener);
        queue.add(p);
        return p.future();
    }

    /** The name and weights hash written into every image's metadata. */
    public ModelIdentity identity() {
        return identity;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public int queuedRequests() {
        return queue.size();
    }

    /**
     * Stops accepting requests, fails those still waiting with {@link IllegalStateException},
     * waits for the running batch and frees the native memory of the weights. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (PendingRequest p : queue.close()) {
            failLater(p, new IllegalStateException("the model was closed before this request ran"));
        }
        if (Thread.currentThread() == worker) {
            return; // called from a result callback: the worker frees the memory when it returns
        }
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private SamplingOptions resolve(GenerationRequest r) {
        Preset.SampleDefaults d = bundle.manifest().sampling();
        long seed = r.seed() != null ? r.seed() : ThreadLocalRandom.current().nextLong(1L << 31);
        SamplingOptions o = new SamplingOptions(r.steps() != null ? r.steps() : d.steps(),
                r.cfgScale() != null ? r.cfgScale() : d.cfg(), seed,
                r.sampler() != null ? r.sampler() : d.sampler(), r.imagesPerPrompt(), r.negativePrompt(),
                r.cfgInterval() != null ? r.cfgInterval() : d.cfgInterval(),
                r.guideScale() != null ? r.guideScale() : d.guideScale()).validate();
        if (r.guideScale() != null && r.guideScale() != 1.0 && bundle.guide() == null) {
            throw new IllegalArgumentException("guide scale " + r.guideScale() + " needs a guide model and this model"
                    + " has none (leave guide scale unset or at 1)");
        }
        return o;
    }

    private void work() {
        try {
            while (true) {
                List<PendingRequest> batch = queue.nextBatch();
                if (batch.isEmpty()) {
                    return;
                }
                run(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // also reached when an Error ends the worker: no request may wait for a worker that is gone
            closed = true;
            for (PendingRequest p : queue.close()) {
                failLater(p, new IllegalStateException("the generator stopped before this request ran"));
            }
            // only this thread ever touched the graphs, so only it may free them
            conditioner.clearCache();
            bundle.release();
        }
    }

    private void run(List<PendingRequest> batch) {
        long start = System.nanoTime();
        try {
            List<ImageGenerator.Request> requests = new ArrayList<>();
            Set<String> prompts = new LinkedHashSet<>();
            int batchImages = 0;
            for (PendingRequest p : batch) {
                requests.add(new ImageGenerator.Request(p.request().prompts(), p.options(), p.init()));
                prompts.addAll(p.request().prompts());
                batchImages += p.imageCount();
            }
            // one prompt per CLIP call, so an encoding never depends on the batch it arrived in
            for (String prompt : prompts) {
                conditioner.warm(List.of(prompt));
            }
            INDArray tensor = generator.generate(requests, batch.get(0).request().strength(), monitor(batch));
            List<BufferedImage> images = Images.toBufferedImages(tensor);
            if (tensor.closeable()) {
                tensor.close();
            }
            long end = System.nanoTime();
            int offset = 0;
            for (PendingRequest p : batch) {
                int count = p.imageCount();
                List<String> imagePrompts = new ArrayList<>(count);
                List<GenerationParameters> parameters = new ArrayList<>(count);
                for (String prompt : p.request().prompts()) {
                    for (int k = 0; k < p.request().imagesPerPrompt(); k++) {
                        parameters.add(parameters(p, prompt, parameters.size()));
                        imagePrompts.add(prompt);
                    }
                }
                SamplingOptions o = p.options();
                GenerationResult result = new GenerationResult(images.subList(offset, offset + count), imagePrompts,
                        parameters, o.seed(), o.steps(), o.cfgScale(), o.cfgInterval(), o.sampler(),
                        Duration.ofNanos(start - p.queuedAt()), Duration.ofNanos(end - start), batchImages);
                offset += count;
                // completed on another thread so that callers' callbacks never run on (and stall) the worker
                CompletableFuture.runAsync(() -> p.future().complete(result));
            }
        } catch (CancellationException e) {
            // every request of the batch was cancelled: their futures are already done
        } catch (Throwable t) {
            for (PendingRequest p : batch) {
                failLater(p, t);
            }
            // out of memory is this batch's problem (a smaller one may fit); other errors end the worker
            if (t instanceof Error e && !(t instanceof OutOfMemoryError)) {
                throw e;
            }
        } finally {
            if (conditioner.cachedCaptions() > MAX_CACHED_PROMPTS) {
                conditioner.clearCache();
            }
        }
    }

    /** What image {@code k} of a request was made with. */
    private GenerationParameters parameters(PendingRequest p, String prompt, int k) {
        SamplingOptions o = p.options();
        GenerationRequest r = p.request();
        return new GenerationParameters(prompt, o.negativePrompt(), o.seed() + k, o.steps(),
                o.sampler().id(), o.cfgScale(), o.cfgInterval(), info.imageSize(),
                info.imageSize(),
                identity.name(), identity.hash(), Version.current(), r.initImage() == null ? null : r.strength(),
                r.initImage() == null ? null
                        : GenerationParameters.imageHash(InitImages.fit(r.initImage(), info.imageSize())),
                o.guideScale());
    }

    /**
     * Reports each step to the batch's listeners (each with a preview of its own rows) and stops
     * the batch once all of its requests are cancelled.
     */
    private static StepMonitor monitor(List<PendingRequest> batch) {
        if (batch.stream().allMatch(p -> p.listener() == null)) {
            return (step, total, t, x, v) -> stopIfAllCancelled(batch);
        }
        return (step, total, t, x, v) -> {
            stopIfAllCancelled(batch);
            int offset = 0;
            for (PendingRequest p : batch) {
                int from = offset;
                int count = p.imageCount();
                offset += count;
                if (p.listener() == null || p.future().isDone()) {
                    continue;
                }
                GenerationProgress progress = new GenerationProgress(step, total, () -> {
                    INDArray rows = StepMonitor.cleanEstimate(x.get(NDArrayIndex.interval(from, from + count)), t,
                            v.get(NDArrayIndex.interval(from, from + count)));
                    List<BufferedImage> preview = Images.toBufferedImages(rows);
                    rows.close();
                    return preview;
                });
                try {
                    p.listener().onProgress(progress);
                } catch (RuntimeException ignored) {
                    // a listener's failure is its own; the images are still wanted
                } finally {
                    progress.invalidate();
                }
            }
        };
    }

    private static void stopIfAllCancelled(List<PendingRequest> batch) {
        for (PendingRequest p : batch) {
            if (!p.future().isDone()) {
                return;
            }
        }
        throw new CancellationException("every request of the batch was cancelled");
    }

    private static void failLater(PendingRequest p, Throwable t) {
        CompletableFuture.runAsync(() -> p.future().completeExceptionally(t));
    }

    private static ModelInfo describe(Bundle b) {
        BundleManifest m = b.manifest();
        Preset.SampleDefaults d = m.sampling();
        BundleManifest.Source s = m.source();
        return new ModelInfo(b.path().toString(), b.dit().config().imgSize(), d.steps(), d.cfg(), d.cfgInterval(),
                d.sampler(), m.formatVersion(), m.createdBy(), m.created(), s == null ? null : s.clip(),
                b.dit().parameterCount(), s == null ? null : s.step(), s != null && s.ema(), d.guideScale(),
                b.guide() != null, s == null ? null : s.trainingCaptions());
    }
}
