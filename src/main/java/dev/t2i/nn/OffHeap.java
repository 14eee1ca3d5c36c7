package dev.t2i.nn;

/**
 * Keeps ND4J's off-heap memory bounded. ND4J frees native buffers only when their Java objects
 * are garbage-collected, and a graph evaluation leaves hundreds of megabytes of dead activations
 * behind while the Java heap barely grows, so the JVM alone would rarely collect (a sampling run
 * was measured growing past 20 GB). ND4J's native allocations are not visible to JavaCPP's byte
 * counters, so {@link #tidy()} collects on a clock instead: at most every 200 ms, which bounds
 * native memory to a fraction of a second's worth of allocations at a small cost.
 */
public final class OffHeap {
    private static final long INTERVAL_NANOS = 200_000_000L;
    private static long last = System.nanoTime();

    private OffHeap() {
    }

    /** Collects if the last collection was long enough ago; cheap otherwise. */
    public static synchronized void tidy() {
        long now = System.nanoTime();
        if (now - last < INTERVAL_NANOS) {
            return;
        }
        System.gc();
        last = System.nanoTime();
    }
}
