package dev.t2i.runtime;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.array.SingleThreadArrayHolder;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Helpers around SameDiff graphs: evaluation and gradients from {@link GraphPlan}s, with prompt,
 * correct memory reuse.
 */
public final class Graphs {
    /**
     * Released memory a session may keep for reuse; more than one training step of the seed model
     * needs ({@code -Dt2i.poolMb=N} changes it, to trade speed for memory).
     */
    private static final long POOL_BYTES = Long.getLong("t2i.poolMb", 4096) << 20;

    /**
     * Whether graphs run from a {@link GraphPlan} (the default) or through SameDiff's session
     * ({@code -Dt2i.samediffSession=true}, to compare the two).
     */
    static final boolean PLANNED = !Boolean.getBoolean("t2i.samediffSession");

    static {
        // every graph run makes hundreds of arrays: their shape descriptors come from a cache
        ShapeInfoCache.install();
    }

    private Graphs() {
    }

    /**
     * Evaluates outputs. Intermediate arrays go back to this thread's {@link RecyclingMemoryMgr}
     * as soon as the session is done with them; the returned arrays are the caller's and stay
     * valid across later calls.
     */
    public static Map<String, INDArray> output(SameDiff sd, Map<String, INDArray> inputs, String... names) {
        return output(PlannedSession.of(sd, POOL_BYTES), sd, inputs, names);
    }

    private static Map<String, INDArray> output(PlannedSession session, SameDiff sd, Map<String, INDArray> inputs,
            String... names) {
        RecyclingMemoryMgr memory = session.memory();
        Map<String, INDArray> out = java.util.Collections.emptyMap();
        try {
            GraphPlan plan = PLANNED ? session.plan(inputs, names) : null;
            out = plan != null ? memory.exactResults(plan.run(inputs, memory)) : sd.output(inputs, names);
            if (plan != null) {
                session.ran(names);
            }
            return out;
        } finally {
            memory.endCall(out.values());
        }
    }

    /**
     * The named outputs and the gradients of the loss with respect to {@code params}, in one
     * pass of the gradient function. Equivalent to {@code calculateGradientsAndOutputs}, which in
     * 1.0.0-M2.1 switches off the releasing of intermediate arrays in the gradient function
     * ({@code setEnableCache(false)}) and so keeps every activation and backward temporary of the
     * step alive until the garbage collector runs; here they are reused as soon as they are dead.
     * Close the result to hand the gradient arrays back for the next step.
     */
    public static Gradients gradients(SameDiff sd, Map<String, INDArray> inputs, Collection<String> outputs,
            Collection<String> params) {
        return gradients(sd, inputs, outputs, params, true);
    }

    /**
     * {@link #gradients(SameDiff, Map, Collection, Collection)}, saying whether the pass may recompute
     * cheap forward values rather than keep them ({@code Recomputation}; decided at a thread's
     * first pass): false keeps every value the backward pass reads, faster at a higher peak.
     */
    public static Gradients gradients(SameDiff sd, Map<String, INDArray> inputs, Collection<String> outputs,
            Collection<String> params, boolean recompute) {
        prepareGradients(sd);
        SameDiff fn = sd.getFunction("grad");
        fn.setEnableCache(true);
        List<String> names = new ArrayList<>(outputs);
        Map<String, String> gradNames = new LinkedHashMap<>();
        for (String p : params) {
            var g = sd.getVariable(p).getGradient();
            if (g != null) {
                gradNames.put(p, g.name());
                names.add(g.name());
            }
        }
        PlannedSession session = PlannedSession.of(fn, POOL_BYTES);
        session.allowRecomputation(recompute);
        RecyclingMemoryMgr memory = session.memory();
        Map<String, INDArray> all = output(session, fn, inputs, names.toArray(new String[0]));
        Map<String, INDArray> outs = new LinkedHashMap<>();
        outputs.forEach(o -> outs.put(o, all.get(o)));
        Map<String, INDArray> grads = new LinkedHashMap<>();
        gradNames.forEach((p, g) -> grads.put(p, all.get(g)));
        return new Gradients(outs, grads, memory);
    }

    /** A new, empty graph that keeps one copy of each weight (see {@link #singleCopy}). */
    public static SameDiff create() {
        return singleCopy(SameDiff.create());
    }

    /**
     * Makes {@code sd} hold each variable and constant once. SameDiff's default thread-safe
     * array holders keep a second, device-local copy of every array (measured: 100 MB more
     * resident memory for a 100 MB table; the CLIP text tower and the DiT together 325 MB). The
     * weights are only read while graphs run ({@link Workers} run shards concurrently, each
     * thread in its own session), and concurrent readers of the plain holder are safe.
     */
    public static SameDiff singleCopy(SameDiff sd) {
        if (!(sd.getVariablesArrays() instanceof SingleThreadArrayHolder)) {
            sd.setArrayHolders(new SingleThreadArrayHolder(), new SingleThreadArrayHolder(), true);
        }
        return sd;
    }

    /** This thread's session memory manager of {@code sd}, installed on first use. */
    static RecyclingMemoryMgr memory(SameDiff sd) {
        return PlannedSession.of(sd, POOL_BYTES).memory();
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
        closeTrainingSessions(sd);
    }

    /**
     * Drops the sessions of a graph and of its backward graph, whose per-thread pools and op
     * contexts hold up to a GB per worker after training; the graph may still run.
     */
    public static void closeTrainingSessions(SameDiff sd) {
        closeSessions(sd);
        SameDiff grad = sd.getFunction("grad");
        if (grad != null) {
            closeSessions(grad);
        }
    }

    /**
     * Drops a graph's per-thread sessions and frees the buffers their memory managers pool, which
     * would otherwise wait for the garbage collector. The graph may still run; it starts new sessions.
     */
    public static void closeSessions(SameDiff sd) {
        for (InferenceSession session : sd.getSessions().values()) {
            if (session instanceof PlannedSession planned) {
                planned.close();
            } else if (session.getMmgr() instanceof RecyclingMemoryMgr pool) {
                pool.close();
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
                singleCopy(sd.getFunction("grad"));
            } finally {
                System.setOut(original);
            }
        }
    }

    /**
     * Outputs and parameter gradients of one pass. Closing it returns the gradient arrays to
     * the session's pool, so they must not be used afterwards.
     */
    public record Gradients(Map<String, INDArray> outputs, Map<String, INDArray> gradients,
            RecyclingMemoryMgr memory) implements AutoCloseable {
        @Override
        public void close() {
            gradients.values().forEach(memory::recycle);
        }
    }
}
