package dev.t2i.runtime;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;

/**
 * Runs a {@link CompiledPlan}: binds the leaves, runs the steps in order ({@link StepRunner}),
 * tells the graph's listeners, and hands every intermediate array back to the
 * {@link RecyclingMemoryMgr} as soon as its last reader has run. A view or an incoming gradient
 * passed on as it is shares its input's allocation, which is freed after the last read of any
 * of them. Not thread-safe.
 */
final class PlanExecutor {
    /** Reads added to an output's array so that nothing releases it. */
    private static final int KEEP = 1 << 30;

    private final CompiledPlan plan;
    private final StepRunner runner;
    /** Per slot during a run: the slot whose allocation holds its data (-1: a leaf, never released). */
    private final int[] owner;
    /** Per owning slot during a run: reads still to come. */
    private final int[] remaining;
    private final INDArray[] values;
    /** Per slot during a run: the shape of its value, kept for steps that read only that. */
    private final long[][] shapes;
    /** Per slot, from the last run: bytes of the array it owns (0 for views and leaves). */
    private final long[] ownBytes;

    PlanExecutor(CompiledPlan plan) {
        this.plan = plan;
        this.runner = new StepRunner(plan);
        int slotCount = plan.slotCount();
        this.owner = new int[slotCount];
        this.remaining = new int[slotCount];
        this.values = new INDArray[slotCount];
        this.shapes = new long[slotCount][];
        this.ownBytes = new long[slotCount];
    }

    /**
     * Evaluates the plan's outputs. Intermediate arrays come from and go back to {@code memory}
     * as soon as their last reader has run; the outputs are the caller's.
     */
    Map<String, INDArray> run(Map<String, INDArray> inputs, RecyclingMemoryMgr memory) {
        try {
            bindLeaves(inputs);
            List<Listener> listeners = plan.sd().getListeners();
            boolean listening = listeners != null && !listeners.isEmpty();
            At at = listening ? At.defaultAt(Operation.INFERENCE) : null;
            MemoryTrace trace = MemoryTrace.ENABLED ? new MemoryTrace(plan.steps()) : null;
            for (int s = 0; s < plan.steps().length; s++) {
                runStep(s, listening ? listeners : null, at, memory);
                if (trace != null) {
                    trace.afterStep(s, memory, values, owner, remaining);
                }
            }
            if (trace != null) {
                trace.print(memory);
            }
            return results(memory);
        } finally {
            Arrays.fill(values, null);
            Arrays.fill(shapes, null);
            Arrays.fill(remaining, 0);
        }
    }

    /** Per slot, the bytes it owned in the last run. */
    long[] lastSizes() {
        return ownBytes.clone();
    }

    private void bindLeaves(Map<String, INDArray> inputs) {
        PlanLeaves leaves = plan.leaves();
        for (int i = 0; i < leaves.count(); i++) {
            INDArray a = leaves.array(i, inputs, plan.sd());
            int slot = leaves.slots()[i];
            values[slot] = a;
            shapes[slot] = a.shape();
            owner[slot] = -1;
        }
    }

    /** Runs step {@code s}, telling {@code listeners} (null: none), and releases what it read last. */
    private void runStep(int s, List<Listener> listeners, At at, RecyclingMemoryMgr memory) {
        Step step = plan.steps()[s];
        INDArray[] in = new INDArray[step.in().length];
        for (int i = 0; i < in.length; i++) {
            in[i] = step.shapeOnly()[i] ? null : values[step.in()[i]];
        }
        OpContext oc = runner.context(s);
        if (listeners != null) {
            for (Listener l : listeners) {
                l.preOpExecution(plan.sd(), at, step.op(), oc);
            }
        }
        // per output: the input slot whose data it is, or -1 for a new array
        int[] aliasOf = new int[step.out().length];
        INDArray[] out = runner.run(s, oc, in, shapes, aliasOf, memory);
        if (listeners != null) {
            for (Listener l : listeners) {
                l.opExecution(plan.sd(), at, null, step.op(), oc, out);
            }
        }
        // libnd4j wraps every array set on a context in a native NDArray that it frees only
        // when the context is purged: a reused context without this grew a cifar-cpu run's
        // malloc'd memory by ~60 MB a minute (1.2 GB in use after 8 minutes, 0.93 GB at 2)
        oc.purge();
        store(step, out, aliasOf);
        for (int i = 0; i < step.in().length; i++) {
            if (!step.shapeOnly()[i] && owner[step.in()[i]] >= 0) {
                readDone(owner[step.in()[i]], memory);
            }
        }
        for (int o : step.out()) {
            if (values[o] != null && owner[o] == o && remaining[o] == 0) {
                memory.release(values[o]);   // made and never read
            }
        }
    }

    /** Puts a step's outputs in their slots and counts the reads their allocations wait for. */
    private void store(Step step, INDArray[] out, int[] aliasOf) {
        for (int i = 0; i < out.length; i++) {
            int o = step.out()[i];
            values[o] = out[i];
            shapes[o] = out[i] == null ? null : out[i].shape();
            ownBytes[o] = out[i] == null || aliasOf[i] >= 0 || out[i].isEmpty() ? 0
                    : out[i].length() * out[i].dataType().width();
            if (out[i] == null) {
                owner[o] = -1;
                continue;
            }
            owner[o] = aliasOf[i] < 0 ? o : owner[aliasOf[i]];
            if (owner[o] >= 0) {
                remaining[owner[o]] += plan.uses()[o] + (plan.isOutput()[o] ? KEEP : 0);
            }
        }
    }

    private void readDone(int ownerSlot, RecyclingMemoryMgr memory) {
        if (--remaining[ownerSlot] == 0) {
            memory.release(values[ownerSlot]);
        }
    }

    /** The requested outputs, each in an array of its own. */
    private Map<String, INDArray> results(RecyclingMemoryMgr memory) {
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (int i = 0; i < plan.outputs().length; i++) {
            int o = plan.outputSlots()[i];
            INDArray v = values[o];
            // an output that is another array's data (a view, or an incoming gradient passed on)
            // is copied: callers update outputs in place (the optimiser its gradients), and a
            // view's memory goes back to the pool with the array it views
            if (owner[o] >= 0 && owner[o] != o) {
                v = memory.allocate(true, v.dataType(), v.shape()).assign(v);
            }
            result.put(plan.outputs()[i], v);
        }
        return result;
    }

    /** Frees the op contexts; the executor must not run afterwards. */
    void close() {
        runner.close();
    }
}
