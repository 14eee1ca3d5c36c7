package dev.t2i.runtime;

import dev.t2i.T2iException;
import dev.t2i.platform.Backend;
import dev.t2i.platform.CoreSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.ToLongFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs the shards of a batch on several threads at once: data parallelism inside one process.
 *
 * <p>Why not more threads per op instead: the graphs here are many mid-sized ops, and ND4J's
 * intra-op threads (OpenMP, OpenBLAS) cost more in start-up and spinning than a second core
 * gains (measured: two threads per op made the seed training step 30 % slower on 2 cores). Two
 * shards of the batch, each on its own thread with one-threaded ops, keep both cores busy
 * with no contention but memory bandwidth. SameDiff keeps a session per thread, so the shards
 * share the graph and its weights and nothing else.
 *
 * <p>The count comes from {@code T2I_WORKERS} ({@link CoreSplit#requestedWorkers()}), else from
 * {@link CoreSplit} (one per core up to {@value CoreSplit#MAX_WORKERS}) once
 * {@link Backend#configureThreads} has set the threads per op, as the command line does; it is
 * one when ND4J's ops still spread over every core, and on a GPU backend (the device is the
 * parallel part there). Each worker thread gets the same
 * per-op thread count as the caller ({@link Backend#opThreads()}).
 */
public final class Workers {
    private static volatile Workers shared;
    /** Set on worker threads: shards they start run inline, since waiting on the pool from inside it could deadlock. */
    private static final ThreadLocal<Boolean> ON_WORKER = ThreadLocal.withInitial(() -> false);

    private final int count;
    private final ExecutorService pool;

    private Workers(int count) {
        this.count = count;
        if (count <= 1) {
            this.pool = null;
            return;
        }
        AtomicInteger next = new AtomicInteger(1);
        int opThreads = Backend.opThreads();
        this.pool = Executors.newFixedThreadPool(count - 1, r -> {
            Thread t = new Thread(() -> {
                ON_WORKER.set(true);
                try {
                    // libnd4j's OpenMP thread count is per calling thread: a new thread starts at all cores
                    Backend.applyOpThreads(opThreads);
                } finally {
                    r.run();   // a worker that does not run would leave its shard waiting forever
                }
            }, "t2i-worker-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /** The process-wide workers, created on first use with {@link #defaultCount()} threads. */
    public static Workers shared() {
        Workers w = shared;
        if (w == null) {
            synchronized (Workers.class) {
                if (shared == null) {
                    shared = new Workers(defaultCount());
                }
                w = shared;
            }
        }
        return w;
    }

    /**
     * Sets the number of workers for everything that follows (1: no data parallelism). Replaces
     * the shared workers; call it before work starts, not while shards run.
     */
    public static synchronized void configure(int count) {
        if (count < 1) {
            throw new T2iException("workers must be at least 1, got " + count);
        }
        Workers old = shared;
        shared = new Workers(count);
        if (old != null && old.pool != null) {
            old.pool.shutdown();
        }
    }

    /**
     * {@code T2I_WORKERS} ({@link CoreSplit#requestedWorkers()}, which refuses a bad value), else
     * {@link CoreSplit}'s share of the available cores for the configured threads per op (one
     * worker per core up to {@value CoreSplit#MAX_WORKERS}); 1 on a GPU backend or while ops are
     * left multi-threaded (threads never configured).
     */
    public static int defaultCount() {
        Integer asked = CoreSplit.requestedWorkers();
        if (asked != null) {
            return asked;
        }
        if (!Backend.isCpu() || !Backend.configured()) {
            return 1;
        }
        return CoreSplit.of(Runtime.getRuntime().availableProcessors(), null, Backend.opThreads()).workers();
    }

    /** Number of threads shards run on. */
    public int count() {
        return count;
    }

    /**
     * How many shards a batch of {@code rows} is cut into: one per worker, but no shard smaller
     * than {@code minRows} rows.
     */
    public int shardsFor(long rows, int minRows) {
        return (int) Math.max(1, Math.min(count, rows / Math.max(1, minRows)));
    }

    /** Start row of shard {@code i} of {@code shards} over {@code rows} rows (the last may be shorter). */
    public static long shardStart(long rows, int shards, int i) {
        return rows * i / shards;
    }

    /**
     * Rows of shard {@code i} of {@code shards} along the first axis of {@code a}, as a new
     * array, or {@code a} itself when there is one shard.
     */
    public static INDArray shardRows(INDArray a, int shards, int i) {
        if (shards == 1) {
            return a;
        }
        long rows = a.size(0);
        return a.get(NDArrayIndex.interval(shardStart(rows, shards, i), shardStart(rows, shards, i + 1))).dup('c');
    }

    /**
     * Runs {@code action} on every item, the items cut into one run of consecutive items per
     * worker with about equal total {@code cost}. For per-parameter work between steps (optimiser,
     * gradient sums, EMA), which would otherwise leave all cores but one idle.
     */
    public <T> void forEachSpread(List<T> items, ToLongFunction<T> cost, Consumer<T> action) {
        int groups = Math.max(1, Math.min(count, items.size()));
        long total = 0;
        for (T item : items) {
            total += cost.applyAsLong(item);
        }
        int[] bounds = new int[groups + 1];
        bounds[groups] = items.size();
        long sum = 0;
        int g = 1;
        for (int i = 0; i < items.size() && g < groups; i++) {
            sum += cost.applyAsLong(items.get(i));
            while (g < groups && sum * groups >= total * g) {
                bounds[g++] = i + 1;
            }
        }
        while (g < groups) {
            bounds[g++] = items.size();
        }
        map(groups, k -> {
            for (int i = bounds[k]; i < bounds[k + 1]; i++) {
                action.accept(items.get(i));
            }
            return null;
        });
    }

    /**
     * Runs {@code task} for shards 0..shards-1, shard 0 on the calling thread and the others on
     * the workers, and returns the results in shard order. If any shard fails, waits for all of
     * them and rethrows the first failure; the results of the others are then lost, so tasks
     * that hold resources must not be used with a failing sibling (the callers here release
     * theirs in {@code onFailure}).
     */
    public <T> List<T> map(int shards, IntFunction<T> task) {
        return map(shards, task, null);
    }

    /**
     * As {@link #map(int, IntFunction)}, handing the results of shards that did finish to
     * {@code onFailure} (may be null) when another failed, so they can be released.
     */
    public <T> List<T> map(int shards, IntFunction<T> task, java.util.function.Consumer<T> onFailure) {
        if (shards <= 1 || pool == null || ON_WORKER.get()) {
            List<T> out = new ArrayList<>(shards);
            for (int i = 0; i < shards; i++) {
                out.add(task.apply(i));
            }
            return out;
        }
        List<Future<T>> futures = new ArrayList<>(shards - 1);
        for (int i = 1; i < shards; i++) {
            int shard = i;
            futures.add(pool.submit(() -> task.apply(shard)));
        }
        List<T> out = new ArrayList<>(shards);
        Throwable failure = null;
        try {
            out.add(task.apply(0));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                failure = failure != null ? failure : e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = failure != null ? failure : e;
            }
        }
        if (failure != null) {
            if (onFailure != null) {
                out.forEach(onFailure);
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("a worker failed: " + failure, failure);
        }
        return out;
    }
}
