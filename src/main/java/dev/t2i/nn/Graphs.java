package dev.t2i.nn;

import java.io.OutputStream;
import java.io.PrintStream;
import org.nd4j.autodiff.samediff.SameDiff;

/** Helpers around SameDiff graphs. */
public final class Graphs {
    private Graphs() {
    }

    /**
     * Evaluates outputs with freshly allocated arrays. SameDiff 1.0.0-M2.1's default array cache
     * hands recycled, non-zeroed buffers to ops, and some ops then give different results on
     * repeated calls with identical inputs; the no-op memory manager avoids that.
     */
    public static java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> output(SameDiff sd,
            java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> inputs, String... names) {
        freshArrays(sd);
        OffHeap.tidy();
        return sd.output(inputs, names);
    }

    /** Installs the no-op memory manager in the current thread's session of {@code sd}. */
    public static void freshArrays(SameDiff sd) {
        long id = Thread.currentThread().getId();
        var session = sd.getSessions().computeIfAbsent(id,
                k -> new org.nd4j.autodiff.samediff.internal.InferenceSession(sd));
        if (!(session.getMmgr() instanceof org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr)) {
            session.setMmgr(new org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr());
        }
    }

    /**
     * Frees the native memory of a graph's weights and constants and drops its per-thread
     * sessions. SameDiff has no close(); the graph must not be evaluated afterwards.
     */
    public static void release(SameDiff sd) {
        for (org.nd4j.autodiff.samediff.ArrayHolder holder : new org.nd4j.autodiff.samediff.ArrayHolder[] {
                sd.getVariablesArrays(), sd.getConstantArrays()}) {
            if (holder == null) {
                continue;
            }
            for (String name : new java.util.ArrayList<>(holder.arrayNames())) {
                org.nd4j.linalg.api.ndarray.INDArray a = holder.removeArray(name);
                if (a != null && a.closeable()) {
                    a.close();
                }
            }
        }
        sd.getSessions().clear();
    }

    /**
     * Builds the backward graph once, up front. SameDiff 1.0.0-M2.1 prints a line per op to
     * standard output while doing so, which would bury the training log; it is muted here.
     */
    public static void prepareGradients(SameDiff sd) {
        if (sd.getFunction("grad") != null) {
            return;
        }
        PrintStream original = System.out;
        synchronized (System.class) {
            try {
                System.setOut(new PrintStream(OutputStream.nullOutputStream()));
                sd.createGradFunction();
            } finally {
                System.setOut(original);
            }
        }
    }
}
