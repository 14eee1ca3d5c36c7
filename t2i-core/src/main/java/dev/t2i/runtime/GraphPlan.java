package dev.t2i.runtime;

import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runs a SameDiff graph from a plan made once per thread and set of requested outputs: the ops
 * those outputs need in a fixed order, each op's input and output slots and reader counts, and
 * one reusable op context per op with the output shapes of the last call. Every intermediate
 * array goes back to the {@link RecyclingMemoryMgr} once its last reader has run. Not
 * thread-safe: {@link PlannedSession} keeps a thread's plans.
 *
 * <p>Why not SameDiff's own session: {@code InferenceSession} of 1.0.0-M2.1 works all of that out
 * again on every call and every op (a copy of the variable map, the subgraph search, dependency
 * sets, name look-ups, an output-shape call into native code per op). Measured on the seed
 * sampling graph, 790 ops of 0.2 ms on average, that bookkeeping was a quarter of the run.
 * The ops and their arguments are the session's, so the results are too ({@code GraphsTest}
 * compares outputs and gradients bit for bit); what differs is that results which are an input's
 * data as it is (identities, reshapes of row-major arrays, the gradients of a same-shape add)
 * are passed on without a copy.
 *
 * <p>The parts: {@link PlanCompiler} makes the {@link CompiledPlan} (with {@link OpOrder},
 * {@link RunnableOps} and {@link StepRewrites}), {@link PlanExecutor} runs it (with
 * {@link StepRunner}, {@link StepContexts}, {@link GradientKernels} and {@link MemoryTrace}),
 * {@link SizePredictor} predicts its memory and {@link Recomputation} trades some of that for
 * extra ops. Graphs with ops a plan does not run (control flow, tensor arrays and the like) are
 * left to SameDiff: {@link #build} returns null for them.
 */
final class GraphPlan {
    private final CompiledPlan plan;
    private final PlanExecutor executor;

    private GraphPlan(CompiledPlan plan) {
        this.plan = plan;
        this.executor = new PlanExecutor(plan);
    }

    /** The plan for {@code outputs} of {@code sd}; null where the graph has an op the plan does not run. */
    static GraphPlan build(SameDiff sd, String... outputs) {
        CompiledPlan plan = PlanCompiler.compile(sd, outputs);
        return plan == null ? null : new GraphPlan(plan);
    }

    /** Whether the plan computes gradients, the only plans {@link #recomputing} changes. */
    boolean hasBackward() {
        return Recomputation.hasBackward(plan.steps(), plan.slotNames());
    }

    /**
     * Per slot, the bytes it will own for {@code inputs}, found without running the full batch
     * ({@link SizePredictor}); null where that cannot be predicted.
     */
    long[] predictSizes(Map<String, INDArray> inputs, RecyclingMemoryMgr memory) {
        return new SizePredictor(plan.leaves(), executor).predict(inputs, memory);
    }

    /** Per slot, the bytes it owned in the last run. */
    long[] lastSizes() {
        return executor.lastSizes();
    }

    /**
     * This plan with cheap forward values recomputed in the backward pass instead of kept (see
     * {@link Recomputation}), for slots of {@code bytes}; null where that saves less than
     * {@code minSaving} bytes or the plan has no backward pass.
     */
    GraphPlan recomputing(long[] bytes, long minSaving) {
        Recomputation.Result r = Recomputation.plan(plan.steps(), plan.slotNames(), plan.leaves().slots(),
                plan.isOutput(), bytes, minSaving);
        return r == null ? null : new GraphPlan(plan.withSteps(r.steps(), r.slotNames()));
    }

    /**
     * Evaluates the plan's outputs. Intermediate arrays come from and go back to {@code memory}
     * as soon as their last reader has run; the outputs are the caller's.
     */
    Map<String, INDArray> run(Map<String, INDArray> inputs, RecyclingMemoryMgr memory) {
        return executor.run(inputs, memory);
    }

    /** Frees the op contexts; the plan must not run afterwards. */
    void close() {
        executor.close();
    }
}
