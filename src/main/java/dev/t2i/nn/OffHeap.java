package dev.t2i.nn;

import org.bytedeco.javacpp.Pointer;

/**
 * Keeps ND4J's off-heap memory bounded. ND4J frees native buffers only when their Java objects
 * are garbage-collected, and a graph evaluation leaves hundreds of megabytes of dead activations
 * behind while the Java heap barely grows, so the JVM alone would rarely collect. {@link #tidy()}
 * runs a collection once native memory has doubled since the last one (and is over a floor),
 * which bounds the peak at about twice the live working set at little cost.
 */
public final class OffHeap {
    private static final long FLOOR = 256L << 20;
    private static long threshold = FLOOR;

    private OffHeap() {
    }

    /** Collects if native memory has grown past the threshold; cheap otherwise. */
    public static synchronized void tidy() {
        long used = Pointer.totalBytes();
        if (used < threshold) {
            return;
        }
        System.gc();
        threshold = Math.max(FLOOR, 2 * Pointer.totalBytes());
    }

    /** Bytes of native memory ND4J currently holds through JavaCPP. */
    public static long usedBytes() {
        return Pointer.totalBytes();
    }
}
