package dev.t2i.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One thread's state for a graph, kept where SameDiff keeps its per-thread sessions (so it lives
 * and goes with the graph): the {@link RecyclingMemoryMgr} and the {@link GraphPlan}s made so far.
 */
final class PlannedSession extends InferenceSession {
    private final RecyclingMemoryMgr memory;
    /** Plans by requested outputs; a null value marks a graph the plans cannot run. */
    private final Map<List<String>, GraphPlan> plans = new HashMap<>();
    /** Plans already offered {@link GraphPlan#recomputing}, by requested outputs. */
    private final java.util.Set<List<String>> tuned = new java.util.HashSet<>();
    /** Plans whose recomputation is decided after their first run. */
    private final java.util.Set<List<String>> sizeAfterRun = new java.util.HashSet<>();
    /**
     * {@code -Dt2i.recompute=false} keeps every forward value the backward pass reads (more memory,
     * a few element-wise ops less); read when a plan is first used.
     */
    static final String RECOMPUTE_PROPERTY = "t2i.recompute";
    /**
     * {@code -Dt2i.recomputeMinMb=N}: recompute only where that frees at least N MB per thread
     * (default 64): below that, as in the shapes demo's model, memory is no concern and the extra
     * ops would only cost time.
     */
    static final String RECOMPUTE_MIN_MB_PROPERTY = "t2i.recomputeMinMb";

    /** Whether gradient plans may recompute forward values (see {@link Graphs#gradients}). */
    private volatile boolean recomputationAllowed = true;

    void allowRecomputation(boolean allowed) {
        recomputationAllowed = allowed;
    }

    PlannedSession(SameDiff sd, RecyclingMemoryMgr memory) {
        super(sd);
        this.memory = memory;
        setMmgr(memory);
    }

    /** This thread's session of {@code sd}, installed on first use. */
    static PlannedSession of(SameDiff sd, long poolBytes) {
        long id = Thread.currentThread().getId();
        if (sd.getSessions().get(id) instanceof PlannedSession s) {
            return s;
        }
        PlannedSession s = new PlannedSession(sd, new RecyclingMemoryMgr(poolBytes));
        sd.getSessions().put(id, s);
        return s;
    }

    RecyclingMemoryMgr memory() {
        return memory;
    }

    /** The plan for {@code outputs}, made on first use; null where the graph has ops it cannot run. */
    GraphPlan plan(String... outputs) {
        List<String> key = List.of(outputs);
        if (plans.containsKey(key)) {
            return plans.get(key);
        }
        GraphPlan plan = GraphPlan.build(sameDiff, outputs);
        plans.put(key, plan);
        return plan;
    }

    /**
     * The plan for {@code outputs}, in its recomputing form where that saves memory (gradient plans
     * only). Decided on the first call from the sizes {@code inputs} will give, predicted from
     * runs on a row or two; where that cannot be predicted, the first call runs the plain plan
     * and the decision follows it ({@link #ran}).
     */
    GraphPlan plan(Map<String, INDArray> inputs, String... outputs) {
        GraphPlan plan = plan(outputs);
        List<String> key = List.of(outputs);
        if (plan == null || !recomputationAllowed || "false".equals(System.getProperty(RECOMPUTE_PROPERTY))
                || !plan.hasBackward()
                || !tuned.add(key)) {
            return plan;
        }
        long[] sizes = plan.predictSizes(inputs, memory);
        if (sizes == null) {
            sizeAfterRun.add(key);
            return plan;
        }
        return swap(key, plan, sizes);
    }

    /** After a call of the plan for {@code outputs}: decides on recomputation where {@link #plan} could not. */
    void ran(String... outputs) {
        List<String> key = List.of(outputs);
        GraphPlan plan = plans.get(key);
        if (plan != null && sizeAfterRun.remove(key)) {
            swap(key, plan, plan.lastSizes());
        }
    }

    private GraphPlan swap(List<String> key, GraphPlan plan, long[] sizes) {
        GraphPlan better = plan.recomputing(sizes, Long.getLong(RECOMPUTE_MIN_MB_PROPERTY, 64) << 20);
        if (better == null) {
            return plan;
        }
        plans.put(key, better);
        plan.close();
        return better;
    }

    /** Frees the pooled buffers and the plans' op contexts. */
    void close() {
        memory.close();
        plans.values().stream().filter(p -> p != null).forEach(GraphPlan::close);
        plans.clear();
    }
}
