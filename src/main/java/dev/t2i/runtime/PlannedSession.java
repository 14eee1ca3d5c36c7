package dev.t2i.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;

/**
 * One thread's state for a graph, kept where SameDiff keeps its per-thread sessions (so it lives
 * and goes with the graph): the {@link RecyclingMemoryMgr} and the {@link GraphPlan}s made so far.
 */
final class PlannedSession extends InferenceSession {
    private final RecyclingMemoryMgr memory;
    /** Plans by requested outputs; a null value marks a graph the plans cannot run. */
    private final Map<List<String>, GraphPlan> plans = new HashMap<>();

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

    /** Frees the pooled buffers and the plans' op contexts. */
    void close() {
        memory.close();
        plans.values().stream().filter(p -> p != null).forEach(GraphPlan::close);
        plans.clear();
    }
}
