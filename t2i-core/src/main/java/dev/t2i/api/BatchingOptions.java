package dev.t2i.api;

/**
 * How {@link T2iModel} groups and queues requests.
 *
 * @param maxBatchImages    the most images generated in one batch; compatible requests are merged up
 *                          to this (a larger single request still runs, alone)
 * @param maxQueuedRequests the most requests waiting at once; {@link TextToImage#submit} rejects more
 */
public record BatchingOptions(int maxBatchImages, int maxQueuedRequests) {
    /** 16 images per batch, 64 waiting requests. */
    public static BatchingOptions defaults() {
        return new BatchingOptions(16, 64);
    }

    /** Checks both limits are positive. */
    public BatchingOptions {
        if (maxBatchImages < 1) {
            throw new IllegalArgumentException("maxBatchImages must be at least 1, got " + maxBatchImages);
        }
        if (maxQueuedRequests < 1) {
            throw new IllegalArgumentException("maxQueuedRequests must be at least 1, got " + maxQueuedRequests);
        }
    }
}
