package dev.t2i.api;

import dev.t2i.sampling.SamplingOptions;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A request waiting for the worker, with its settings resolved against the bundle's defaults.
 *
 * @param request    what the caller asked for
 * @param options    the resolved settings, seed included
 * @param queuedAt   {@link System#nanoTime()} at submission
 * @param future     completed with the result
 */
record PendingRequest(GenerationRequest request, SamplingOptions options, long queuedAt,
        CompletableFuture<GenerationResult> future) {

    /** Whether the two can run in one generator call: same steps, guidance, sampler and negative prompt. */
    boolean canShareBatchWith(PendingRequest other) {
        SamplingOptions a = options;
        SamplingOptions b = other.options;
        return a.steps() == b.steps() && Double.compare(a.cfgScale(), b.cfgScale()) == 0
                && a.sampler() == b.sampler() && Objects.equals(a.negativePrompt(), b.negativePrompt());
    }

    int imageCount() {
        return request.imageCount();
    }
}
