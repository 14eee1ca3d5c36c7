package dev.t2i.api;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between callers and the worker. The worker takes the oldest request and,
 * in the same step, every later one that can share its batch, up to an image limit; the others
 * keep their places.
 */
final class RequestQueue {
    private final ArrayDeque<PendingRequest> waiting = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final int capacity;
    private final int maxBatchImages;
    private boolean closed;

    RequestQueue(int capacity, int maxBatchImages) {
        this.capacity = capacity;
        this.maxBatchImages = maxBatchImages;
    }

    /**
     * Adds a request.
     *
     * @throws RejectedExecutionException when {@code capacity} requests already wait
     * @throws IllegalStateException      after {@link #close()}
     */
    void add(PendingRequest p) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the model is closed; load it again");
            }
            if (waiting.size() >= capacity) {
                throw new RejectedExecutionException("too many requests waiting (" + capacity + "); try again later");
            }
            waiting.addLast(p);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for work and returns the next batch: the oldest request plus later compatible ones
     * while the batch stays within the image limit. Requests cancelled while waiting are dropped.
     *
     * @return the batch, or an empty list once closed
     */
    List<PendingRequest> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                waiting.removeIf(p -> p.future().isDone());
                if (closed) {
                    return List.of();
                }
                if (!waiting.isEmpty()) {
                    break;
                }
                notEmpty.await();
            }
            List<PendingRequest> batch = new ArrayList<>();
            PendingRequest first = waiting.removeFirst();
            batch.add(first);
            int images = first.imageCount();
            for (Iterator<PendingRequest> it = waiting.iterator(); it.hasNext() && images < maxBatchImages; ) {
                PendingRequest p = it.next();
                if (p.canShareBatchWith(first) && images + p.imageCount() <= maxBatchImages) {
                    it.remove();
                    batch.add(p);
                    images += p.imageCount();
                }
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting requests and returns those still waiting. */
    List<PendingRequest> close() {
        lock.lock();
        try {
            closed = true;
            List<PendingRequest> left = new ArrayList<>(waiting);
            waiting.clear();
            notEmpty.signalAll();
            return left;
        } finally {
            lock.unlock();
        }
    }

    /** Requests waiting now. */
    int size() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }
}
