package dev.t2i.api;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Prompts in, images out. Implementations are safe to call from many threads; {@link T2iModel}
 * is the one that loads a bundle file.
 */
public interface TextToImage extends AutoCloseable {
    /**
     * Queues a request and returns at once.
     *
     * @return the result, completed off the caller's thread; cancelling it before it runs drops it
     * @throws IllegalArgumentException    or {@link dev.t2i.T2iException} when the request is invalid
     *                                     for this model
     * @throws RejectedExecutionException  when the queue of waiting requests is full (try again later)
     * @throws IllegalStateException       when closed
     */
    CompletableFuture<GenerationResult> submit(GenerationRequest request);

    /**
     * Queues a request whose steps {@code listener} hears about; cancelling the returned future
     * while it runs stops its batch within one step once no other request of the batch is still
     * wanted. Implementations that cannot report progress ignore the listener.
     */
    default CompletableFuture<GenerationResult> submit(GenerationRequest request, ProgressListener listener) {
        return submit(request);
    }

    /**
     * Generates and waits for the result; same exceptions as {@link #submit}, plus whatever
     * generation itself threw.
     */
    default GenerationResult generate(GenerationRequest request) {
        try {
            return submit(request).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        } catch (CancellationException e) {
            throw new IllegalStateException("the request was cancelled", e);
        }
    }

    /** What is loaded: image size, default settings, provenance. */
    ModelInfo info();

    /** Requests waiting to run (not counting the batch running now). */
    int queuedRequests();

    /** Stops accepting requests, fails the waiting ones, lets the running batch finish and frees memory. */
    @Override
    void close();
}
