package dev.t2i.api;

import dev.t2i.sampling.SamplingOptions;
import java.util.concurrent.CompletableFuture;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A request waiting for the worker, with its settings resolved against the bundle's defaults.
 *
 * @param request    what the caller asked for
 * @param options    the resolved settings, seed included
 * @param queuedAt   {@link System#nanoTime()} at submission
 * @param future     completed with the result
 * @param init       the initial image as [1, C, H, W] at the model's size, or null
 * @param listener   told of every step, or null
 */
record PendingRequest(GenerationRequest request, SamplingOptions options, long queuedAt,
        CompletableFuture<GenerationResult> future, INDArray init, ProgressListener listener) {

    PendingRequest(GenerationRequest request, SamplingOptions options, long queuedAt,
            CompletableFuture<GenerationResult> future) {
        this(request, options, queuedAt, future, null, null);
    }

    /**
     * Whether the two can run in one generator call: same steps, guidance, sampler, negative
     * prompt and strength, and both image-to-image or neither.
     */
    boolean canShareBatchWith(PendingRequest other) {
        return options.sameIntegrationAs(other.options)
                && Double.compare(request.strength(), other.request.strength()) == 0
                && (init == null) == (other.init == null);
    }

    int imageCount() {
        return request.imageCount();
    }
}
