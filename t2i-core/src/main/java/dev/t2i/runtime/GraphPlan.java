package dev.t2i.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.custom.Invoke;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.reduce.bp.MeanBp;
import org.nd4j.linalg.api.ops.impl.shape.CreateView;
import org.nd4j.linalg.api.ops.impl.shape.Permute;
import org.nd4j.linalg.api.ops.impl.shape.Reshape;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.AddBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.SubBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

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
 * <p>Graphs with ops this plan does not run (control flow, tensor arrays and the like) are left to
 * SameDiff: {@link #build} returns null for them.
 */
final class GraphPlan {
    /** How a step runs: as the op, or, where the result is an input's data as it is, without it. */
    enum Kind {
        /** Output 0 is input 0. */
        IDENTITY,
        /** A reshape: a view of a row-major input, the op where the input is laid out otherwise. */
        RESHAPE,
        /**
         * A permutation read only by matrix products: a view with permuted strides (libnd4j's
         * batched product walks strides anyway, so the copy would buy nothing).
         */
        PERMUTE,
        /**
         * The softmax gradient from the forward pass's probabilities y (an extra input):
         * y·(g − Σ g·y). libnd4j's softmax_bp takes the scores and computes the softmax again.
         */
        SOFTMAX_BP,
        /**
         * The gradients of an add: the incoming gradient for an operand of its shape, its sum over
         * the broadcast axes for a smaller one.
         */
        ADD_BP,
        /** The gradients of a subtraction: as an add's, the second negated. */
        SUB_BP,
        /** An input's shape, read from the shape kept for its slot (its data may be gone). */
        SHAPE_OF,
        /** The gradient of a mean over axes: the incoming gradient spread over them, divided by their size. */
        MEAN_BP,
        CUSTOM,
        LEGACY
    }

    /**
     * {@code shapeOnly[i]}: the step reads only input i's shape, so that input's data is not kept
     * alive for it. Most gradients of the forward pass need only their inputs' shapes (an add's,
     * a subtraction's, a reshape's via shape_of); counting those as reads kept half of a training
     * step's activations alive until the backward pass.
     */
    record Step(SameDiffOp op, DifferentialFunction fn, Kind kind, int[] in, boolean[] shapeOnly, int[] out,
            DataType[] outTypes, long[] iArgs, double[] tArgs, boolean[] bArgs, DataType[] dArgs) {
        Step withKind(Kind k) {
            return new Step(op, fn, k, in, shapeOnly, out, outTypes, iArgs, tArgs, bArgs, dArgs);
        }
    }

    /**
     * With {@code -Dt2i.traceMemory=true}, each run prints, for the moment its intermediate arrays
     * held the most memory, which ops made the arrays alive then: where to look to save memory
     * ({@code -Dt2i.traceMemoryAll=true} adds every such array with the steps that read it).
     */
    private static final boolean TRACE_MEMORY = Boolean.getBoolean("t2i.traceMemory");

    /** Reads added to an output's array so that nothing releases it. */
    private static final int KEEP = 1 << 30;

    private final SameDiff sd;
    private final String[] outputs;
    private final int[] outputSlots;
    private final String[] leafNames;
    private final int[] leafSlots;
    private final boolean[] leafIsPlaceholder;
    /** Per leaf: a placeholder's declared shape (-1 where any size goes), else null. */
    private final long[][] leafShapes;
    private final Step[] steps;
    /** Per slot: how many step inputs read it. */
    private final int[] uses;
    /** Per slot: whether it is a requested output. */
    private final boolean[] isOutput;
    /** Per slot: the graph variable it holds. */
    private final String[] slotNames;
    /** Per slot, from the last run: bytes of the array it owns (0 for views and leaves). */
    private final long[] ownBytes;
    private final OpContext[] contexts;
    /**
     * Per step: whether its context already holds the step's fixed arguments. They are set once:
     * each setting allocates native arrays (JavaCPP counts physical memory at every allocation), a
     * few percent of a small model's step when done per run.
     */
    private final boolean[] argsSet;
    /** Per slot during a run: the slot whose allocation holds its data (-1: a leaf, never released). */
    private final int[] owner;
    /** Per owning slot during a run: reads still to come. */
    private final int[] remaining;
    private final long[][][] lastInShapes;
    private final List<LongShapeDescriptor>[] lastOutShapes;
    private final INDArray[] values;
    /** Per slot during a run: the shape of its value, kept for steps that read only that. */
    private final long[][] shapes;
    /** Rows of ones by length, for sums done as matrix products. */
    private final Map<Long, INDArray> ones = new HashMap<>();

    private GraphPlan(SameDiff sd, String[] outputs, int[] outputSlots, String[] leafNames, int[] leafSlots,
            Step[] steps, int[] uses, boolean[] isOutput, String[] slotNames) {
        this.sd = sd;
        this.slotNames = slotNames;
        this.ownBytes = new long[slotNames.length];
        this.outputs = outputs;
        this.outputSlots = outputSlots;
        this.leafNames = leafNames;
        this.leafSlots = leafSlots;
        this.leafIsPlaceholder = new boolean[leafNames.length];
        this.leafShapes = new long[leafNames.length][];
        for (int i = 0; i < leafNames.length; i++) {
            SDVariable leaf = sd.getVariable(leafNames[i]);
            leafIsPlaceholder[i] = leaf.getVariableType() == VariableType.PLACEHOLDER;
            if (leafIsPlaceholder[i]) {
                leafShapes[i] = leaf.placeholderShape();
            }
        }
        this.steps = steps;
        this.uses = uses;
        this.isOutput = isOutput;
        int slotCount = uses.length;
        this.owner = new int[slotCount];
        this.remaining = new int[slotCount];
        this.contexts = new OpContext[steps.length];
        this.argsSet = new boolean[steps.length];
        this.lastInShapes = new long[steps.length][][];
        @SuppressWarnings("unchecked")
        List<LongShapeDescriptor>[] shapes = new List[steps.length];
        this.lastOutShapes = shapes;
        this.values = new INDArray[slotCount];
        this.shapes = new long[slotCount][];
    }

    /** The plan for {@code outputs} of {@code sd}; null where the graph has an op the plan does not run. */
    static GraphPlan build(SameDiff sd, String... outputs) {
        Map<String, Integer> slots = new LinkedHashMap<>();
        List<SameDiffOp> order = new ArrayList<>();
        List<String> leaves = new ArrayList<>();
        // depth-first from the outputs: every op after the ops that make its inputs
        Map<String, Boolean> visited = new HashMap<>();
        for (String out : outputs) {
            if (!sd.hasVariable(out)) {
                throw new IllegalArgumentException("the graph has no variable '" + out + "'");
            }
            if (!visit(sd, out, visited, order, leaves)) {
                return null;
            }
        }
        for (String leaf : leaves) {
            slots.computeIfAbsent(leaf, k -> slots.size());
        }
        for (SameDiffOp op : order) {
            for (String name : op.getOutputsOfOp()) {
                slots.computeIfAbsent(name, k -> slots.size());
            }
        }
        int n = slots.size();
        Step[] steps = new Step[order.size()];
        Map<String, Integer> softmaxOf = new HashMap<>();
        for (int s = 0; s < order.size(); s++) {
            SameDiffOp op = order.get(s);
            DifferentialFunction fn = op.getOp();
            List<String> ins = op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
            int[] in = ins.stream().mapToInt(slots::get).toArray();
            List<String> outs = op.getOutputsOfOp();
            int[] out = outs.stream().mapToInt(slots::get).toArray();
            DataType[] types = outs.stream().map(name -> sd.getVariable(name).dataType()).toArray(DataType[]::new);
            Kind kind = fn instanceof Identity ? Kind.IDENTITY
                    : fn instanceof Reshape && types[0] == sd.getVariable(ins.get(0)).dataType() ? Kind.RESHAPE
                    : fn instanceof AddBpOp && in.length == 3 && out.length == 2 ? Kind.ADD_BP
                    : fn instanceof SubBpOp && in.length == 3 && out.length == 2 ? Kind.SUB_BP
                    : fn instanceof org.nd4j.linalg.api.ops.impl.shape.Shape && in.length == 1 && out.length == 1
                            && types[0].isIntType() ? Kind.SHAPE_OF
                    : fn instanceof MeanBp && in.length == 2 && out.length == 1 ? Kind.MEAN_BP
                    : fn instanceof CustomOp ? Kind.CUSTOM : Kind.LEGACY;
            if (fn instanceof SoftMax && in.length == 1) {
                softmaxOf.put(in[0] + ":" + Arrays.toString(((DynamicCustomOp) fn).iArgs()), out[0]);
            }
            boolean[] shapeOnly = new boolean[in.length];
            if (fn instanceof SoftmaxBp && in.length == 2 && out.length == 1) {
                Integer probs = softmaxOf.get(in[0] + ":" + Arrays.toString(((DynamicCustomOp) fn).iArgs()));
                if (probs != null) {
                    kind = Kind.SOFTMAX_BP;
                    in = new int[] {in[0], in[1], probs};
                    shapeOnly = new boolean[] {true, false, false};   // the scores are not needed
                }
            }
            if (kind == Kind.ADD_BP || kind == Kind.SUB_BP) {
                shapeOnly[0] = true;
                shapeOnly[1] = true;
            }
            if (kind == Kind.SHAPE_OF || kind == Kind.MEAN_BP) {
                shapeOnly[0] = true;
            }
            long[] iArgs = null;
            double[] tArgs = null;
            boolean[] bArgs = null;
            DataType[] dArgs = null;
            if (fn instanceof DynamicCustomOp c) {
                iArgs = c.iArgs();
                tArgs = c.tArgs();
                bArgs = c.bArgs();
                dArgs = c.dArgs();
            }
            steps[s] = new Step(op, fn, kind, in, shapeOnly, out, types, iArgs, tArgs, bArgs, dArgs);
        }
        int[] uses = uses(steps, n);
        // permutations whose every reader is a matrix product stay views
        boolean[] onlyProducts = new boolean[n];
        Arrays.fill(onlyProducts, true);
        for (Step st : steps) {
            boolean product = st.fn instanceof Mmul || st.fn instanceof MmulBp;
            for (int i = 0; i < st.in.length; i++) {
                onlyProducts[st.in[i]] &= product || st.shapeOnly[i];
            }
        }
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (st.fn instanceof Permute && st.kind == Kind.CUSTOM && st.in.length == 1 && st.iArgs.length > 0
                    && uses[st.out[0]] > 0 && onlyProducts[st.out[0]]) {
                steps[s] = st.withKind(Kind.PERMUTE);
            }
        }
        int[] outputSlots = Arrays.stream(outputs).mapToInt(slots::get).toArray();
        boolean[] isOutput = new boolean[n];
        for (int o : outputSlots) {
            isOutput[o] = true;
        }
        return new GraphPlan(sd, outputs.clone(), outputSlots, leaves.toArray(new String[0]),
                leaves.stream().mapToInt(slots::get).toArray(), steps, uses, isOutput,
                slots.keySet().toArray(new String[0]));
    }

    /** Whether the plan computes gradients, the only plans {@link #recomputing} changes. */
    boolean hasBackward() {
        return Recomputation.hasBackward(steps, slotNames);
    }

    /**
     * Per slot, the bytes it will own for {@code inputs}, found without running the full batch:
     * the plan runs on the first one and then two rows of the batch inputs (placeholders whose
     * first size is free and equals the most common such size) and the sizes are extrapolated;
     * null where such a cut does not run (e.g. inputs whose rows are not one per batch item).
     */
    long[] predictSizes(Map<String, INDArray> inputs, RecyclingMemoryMgr memory) {
        Map<Long, Integer> firstSizes = new HashMap<>();
        for (int i = 0; i < leafNames.length; i++) {
            INDArray a = leafIsPlaceholder[i] ? inputs.get(leafNames[i]) : null;
            if (a != null && isBatched(i) && a.rank() > 0) {
                firstSizes.merge(a.size(0), 1, Integer::sum);
            }
        }
        long batch = firstSizes.entrySet().stream()
                .max((x, y) -> x.getValue().equals(y.getValue()) ? Long.compare(x.getKey(), y.getKey())
                        : Integer.compare(x.getValue(), y.getValue()))
                .map(Map.Entry::getKey).orElse(0L);
        if (batch < 1) {
            return null;
        }
        try {
            long[] one = sizesAt(inputs, batch, 1, memory);
            long[] two = batch >= 2 ? sizesAt(inputs, batch, 2, memory) : one;
            long[] bytes = new long[one.length];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = Math.max(0, one[i] + (two[i] - one[i]) * (batch - 1));
            }
            return bytes;
        } catch (RuntimeException e) {
            memory.endCall(java.util.List.of());
            return null;
        }
    }

    /** Per slot, the bytes it owned in the last run. */
    long[] lastSizes() {
        return ownBytes.clone();
    }

    private boolean isBatched(int leaf) {
        return leafShapes[leaf] != null && leafShapes[leaf].length > 0 && leafShapes[leaf][0] < 0;
    }

    /**
     * This plan with cheap forward values recomputed in the backward pass instead of kept (see
     * {@link Recomputation}), for slots of {@code bytes}; null where that saves less than
     * {@code minSaving} bytes or the plan has no backward pass.
     */
    GraphPlan recomputing(long[] bytes, long minSaving) {
        Recomputation.Result r = Recomputation.plan(steps, slotNames, leafSlots, isOutput, bytes, minSaving);
        if (r == null) {
            return null;
        }
        int n = r.slotNames().length;
        int[] newUses = uses(r.steps(), n);
        boolean[] newIsOutput = Arrays.copyOf(isOutput, n);
        return new GraphPlan(sd, outputs, outputSlots, leafNames, leafSlots, r.steps(), newUses, newIsOutput,
                r.slotNames());
    }

    /** Per slot of {@code slotCount}: how many steps read its data (shape-only reads do not count). */
    private static int[] uses(Step[] steps, int slotCount) {
        int[] uses = new int[slotCount];
        for (Step st : steps) {
            for (int i = 0; i < st.in().length; i++) {
                if (!st.shapeOnly()[i]) {
                    uses[st.in()[i]]++;
                }
            }
        }
        return uses;
    }

    /** Adds the ops {@code name} needs to {@code order}; false where one of them is not runnable here. */
    private static boolean visit(SameDiff sd, String name, Map<String, Boolean> visited, List<SameDiffOp> order,
            List<String> leaves) {
        // an explicit stack: the backward graph is thousands of ops deep
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {name, false});
        while (!stack.isEmpty()) {
            Object[] top = stack.pop();
            String var = (String) top[0];
            boolean expanded = (Boolean) top[1];
            if (isLeaf(sd, var)) {
                if (visited.putIfAbsent(var, true) == null) {
                    leaves.add(var);
                }
                continue;
            }
            String opName = sd.getVariables().get(var).getOutputOfOp();
            if (opName == null) {
                return false;
            }
            if (expanded) {
                if (visited.putIfAbsent("op:" + opName, true) == null) {
                    SameDiffOp op = sd.getOps().get(opName);
                    if (!runnable(op.getOp())) {
                        return false;
                    }
                    order.add(op);
                }
                continue;
            }
            if (visited.containsKey("op:" + opName)) {
                continue;
            }
            stack.push(new Object[] {var, true});
            SameDiffOp op = sd.getOps().get(opName);
            List<String> ins = op.getInputsToOp();
            if (ins != null) {
                for (int i = ins.size() - 1; i >= 0; i--) {
                    String in = ins.get(i);
                    if (!visited.containsKey(in) || !isLeaf(sd, in)) {
                        stack.push(new Object[] {in, false});
                    }
                }
            }
            if (op.getControlDeps() != null && !op.getControlDeps().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLeaf(SameDiff sd, String name) {
        VariableType t = sd.getVariable(name).getVariableType();
        return t == VariableType.PLACEHOLDER || t == VariableType.VARIABLE || t == VariableType.CONSTANT;
    }

    /** Ops whose execution is only "set the inputs, make the outputs, exec": no control flow or lists. */
    private static boolean runnable(DifferentialFunction fn) {
        String pkg = fn.getClass().getName();
        if (pkg.contains(".controlflow.") || pkg.contains(".shape.tensorops.") || pkg.contains(".layers.ExternalErrors")) {
            return false;
        }
        if (fn instanceof CustomOp) {
            return fn instanceof DynamicCustomOp && !(fn instanceof org.nd4j.linalg.api.ops.impl.transforms.custom.Assign)
                    && !(fn instanceof CreateView) && !(fn instanceof Invoke);
        }
        if (fn instanceof Op) {
            // a legacy op whose second input is an axis or a scalar changes the shared op object per call
            String[] args = fn.argNames();
            return args != null && (args.length == 1 || (args.length == 2 && !(fn instanceof ReduceOp)
                    && !(fn instanceof ScalarOp)));
        }
        return false;
    }

    /**
     * Evaluates the plan's outputs. Intermediate arrays come from and go back to {@code memory}
     * as soon as their last reader has run; the outputs are the caller's.
     */
    Map<String, INDArray> run(Map<String, INDArray> inputs, RecyclingMemoryMgr memory) {
        try {
            for (int i = 0; i < leafNames.length; i++) {
                INDArray a = leafIsPlaceholder[i] ? inputs.get(leafNames[i]) : sd.getArrForVarName(leafNames[i]);
                if (a == null) {
                    throw new IllegalArgumentException(leafIsPlaceholder[i]
                            ? "no array was given for the placeholder '" + leafNames[i] + "'"
                            : "the graph has no array for '" + leafNames[i] + "'");
                }
                if (leafShapes[i] != null && !fits(a.shape(), leafShapes[i])) {
                    throw new IllegalArgumentException("placeholder '" + leafNames[i] + "' got shape "
                            + Arrays.toString(a.shape()) + ", the graph takes " + Arrays.toString(leafShapes[i]));
                }
                values[leafSlots[i]] = a;
                shapes[leafSlots[i]] = a.shape();
                owner[leafSlots[i]] = -1;
            }
            List<Listener> listeners = sd.getListeners();
            boolean listening = listeners != null && !listeners.isEmpty();
            long tracePeak = -1;
            String traceReport = null;
            At at = listening ? At.defaultAt(Operation.INFERENCE) : null;
            for (int s = 0; s < steps.length; s++) {
                Step step = steps[s];
                INDArray[] in = new INDArray[step.in.length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = step.shapeOnly[i] ? null : values[step.in[i]];
                }
                OpContext oc = contexts[s];
                if (oc == null) {
                    oc = Nd4j.getExecutioner().buildContext();
                    contexts[s] = oc;
                }
                if (listening) {
                    for (Listener l : listeners) {
                        l.preOpExecution(sd, at, step.op, oc);
                    }
                }
                // per output: the input slot whose data it is, or -1 for a new array
                int[] aliasOf = new int[step.out.length];
                INDArray[] out = exec(step, s, oc, in, aliasOf, memory);
                if (listening) {
                    for (Listener l : listeners) {
                        l.opExecution(sd, at, null, step.op, oc, out);
                    }
                }
                // libnd4j wraps every array set on a context in a native NDArray that it frees only
                // when the context is purged: a reused context without this grew a cifar-cpu run's
                // malloc'd memory by ~60 MB a minute (1.2 GB in use after 8 minutes, 0.93 GB at 2)
                oc.purge();
                for (int i = 0; i < out.length; i++) {
                    int o = step.out[i];
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
                        remaining[owner[o]] += uses[o] + (isOutput[o] ? KEEP : 0);
                    }
                }
                for (int i = 0; i < step.in.length; i++) {
                    if (!step.shapeOnly[i] && owner[step.in[i]] >= 0) {
                        readDone(owner[step.in[i]], memory);
                    }
                }
                for (int o : step.out) {
                    if (values[o] != null && owner[o] == o && remaining[o] == 0) {
                        release(o, memory);   // made and never read
                    }
                }
                if (TRACE_MEMORY && memory.liveBytes() > tracePeak) {
                    tracePeak = memory.liveBytes();
                    traceReport = liveReport(s);
                }
            }
            if (TRACE_MEMORY && traceReport != null) {
                System.err.println(traceReport + String.format(java.util.Locale.ROOT,
                        "[memory] this thread's manager: peak live %.1f MB, peak held %.1f MB, pooled now %.1f MB",
                        memory.peakLiveBytes() / 1048576.0, memory.peakHeldBytes() / 1048576.0,
                        memory.pooledBytes() / 1048576.0));
            }
            Map<String, INDArray> result = new LinkedHashMap<>();
            for (int i = 0; i < outputs.length; i++) {
                int o = outputSlots[i];
                INDArray v = values[o];
                // an output that is another array's data (a view, or an incoming gradient passed on)
                // is copied: callers update outputs in place (the optimiser its gradients), and a
                // view's memory goes back to the pool with the array it views
                if (owner[o] >= 0 && owner[o] != o) {
                    v = memory.allocate(true, v.dataType(), v.shape()).assign(v);
                }
                result.put(outputs[i], v);
            }
            return result;
        } finally {
            Arrays.fill(values, null);
            Arrays.fill(shapes, null);
            Arrays.fill(remaining, 0);
        }
    }

    /** What is alive after step {@code s}: bytes by the kind of op that made them, largest first. */
    private String liveReport(int s) {
        Map<String, long[]> byOp = new HashMap<>();
        long total = 0;
        StringBuilder all = new StringBuilder();
        Map<Integer, String> producer = new HashMap<>();
        for (Step st : steps) {
            for (int o : st.out) {
                producer.put(o, st.fn.opName());
            }
        }
        for (int slot = 0; slot < values.length; slot++) {
            if (values[slot] == null || owner[slot] != slot || remaining[slot] <= 0 || values[slot].isEmpty()) {
                continue;
            }
            long bytes = values[slot].length() * values[slot].dataType().width();
            total += bytes;
            if (Boolean.getBoolean("t2i.traceMemoryAll")) {
                StringBuilder readers = new StringBuilder();
                for (int r = 0; r < steps.length; r++) {
                    for (int i : steps[r].in) {
                        if (i == slot) {
                            readers.append(' ').append(r).append(':').append(steps[r].op.getName());
                        }
                    }
                }
                all.append("[live] " + producer.getOrDefault(slot, "?") + " " + bytes / 1024 + "KB "
                        + Arrays.toString(values[slot].shape()) + " made by " + slot + " <-" + readers + "\n");
            }
            long[] sum = byOp.computeIfAbsent(producer.getOrDefault(slot, "?"), k -> new long[2]);
            sum[0] += bytes;
            sum[1]++;
        }
        StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT,
                "[memory] peak after step %d of %d (%s): %.1f MB alive in the plan's slots%n", s + 1, steps.length,
                steps[s].op.getName(), total / 1048576.0));
        byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(25)
                .forEach(e -> sb.append(String.format(java.util.Locale.ROOT, "[memory]   %8.1f MB in %4d arrays from %s%n",
                        e.getValue()[0] / 1048576.0, e.getValue()[1], e.getKey())));
        return sb.append(all).toString();
    }

    /** The gradient of a mean of an array of {@code shape} over {@code axes} (all when none). */
    private static INDArray meanGradient(INDArray g, long[] shape, long[] axes, DataType type,
            RecyclingMemoryMgr memory) {
        long[] kept = shape.clone();
        long count = 1;
        if (axes == null || axes.length == 0) {
            Arrays.fill(kept, 1);
            count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        } else {
            for (long a : axes) {
                int ax = (int) (a < 0 ? a + shape.length : a);
                count *= shape[ax];
                kept[ax] = 1;
            }
        }
        // assign does not broadcast; a multiply does
        INDArray out = memory.allocate(false, type, shape).assign(1.0 / count);
        Nd4j.exec(new MulOp(out, g.reshape(kept), out));
        return out;
    }

    /** Per slot, the bytes it owns when the batch inputs are cut to their first {@code rows} rows. */
    private long[] sizesAt(Map<String, INDArray> inputs, long batch, long rows, RecyclingMemoryMgr memory) {
        Map<String, INDArray> cut = new HashMap<>(inputs);
        for (int i = 0; i < leafNames.length; i++) {
            INDArray a = leafIsPlaceholder[i] ? inputs.get(leafNames[i]) : null;
            if (a != null && isBatched(i) && a.rank() > 0 && a.size(0) == batch) {
                // every free axis of the batch's size: a [B, U] selection of U distinct texts is cut in
                // both where U happens to equal B, or it would no longer match the cut texts
                org.nd4j.linalg.indexing.INDArrayIndex[] index = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
                for (int d = 0; d < index.length; d++) {
                    boolean free = d < leafShapes[i].length && leafShapes[i][d] < 0;
                    index[d] = free && a.size(d) == batch ? org.nd4j.linalg.indexing.NDArrayIndex.interval(0, rows)
                            : org.nd4j.linalg.indexing.NDArrayIndex.all();
                }
                cut.put(leafNames[i], a.get(index).dup());
            }
        }
        run(cut, memory);
        memory.endCall(java.util.List.of());   // the outputs too: nobody reads them
        return ownBytes.clone();
    }

    /** y·(g − Σ_axis g·y): the softmax gradient for incoming gradient g and probabilities y. */
    private static INDArray softmaxGradient(INDArray g, INDArray y, int axis, RecyclingMemoryMgr memory) {
        int ax = axis < 0 ? axis + g.rank() : axis;
        INDArray gy = memory.allocate(false, g.dataType(), g.shape());
        Nd4j.exec(new MulOp(g, y, gy));
        long[] kept = g.shape().clone();
        kept[ax] = 1;
        INDArray sum = memory.allocate(false, g.dataType(), kept);
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.reduce.same.Sum(gy, sum.reshape(reduced(g.shape(), new int[] {ax})),
                ax));
        INDArray out = memory.allocate(false, g.dataType(), g.shape());
        Nd4j.exec(new SubOp(g, sum, out));
        Nd4j.exec(new MulOp(out, y, out));
        memory.release(gy);
        memory.release(sum);
        return out;
    }

    /**
     * The gradient of an operand that was broadcast to {@code grad}'s shape: {@code grad} summed
     * over the axes the operand was stretched along, in the operand's shape.
     */
    private INDArray sumToShape(INDArray grad, long[] o, DataType type, RecyclingMemoryMgr memory) {
        long[] g = grad.shape();
        int lead = g.length - o.length;
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < g.length; i++) {
            if (i < lead || (o[i - lead] == 1 && g[i] != 1)) {
                axes.add(i);
            }
        }
        INDArray out = memory.allocate(false, type, o);
        if (axes.isEmpty()) {
            return out.assign(grad);
        }
        int[] dims = axes.stream().mapToInt(Integer::intValue).toArray();
        boolean leading = dims[dims.length - 1] == dims.length - 1;
        if (leading && grad.ordering() == 'c' && Shape.hasDefaultStridesForShape(grad)) {
            // a sum over the leading axes is a row of ones times the rows: a BLAS product runs
            // it 3x faster than libnd4j's reduction down strided columns (10x at 1024 columns)
            long rows = 1;
            for (int d : dims) {
                rows *= g[d];
            }
            long cols = grad.length() / rows;
            Nd4j.gemm(ones(rows, grad.dataType()), grad.reshape(rows, cols), out.reshape(1, cols), false, false, 1.0, 0.0);
            return out;
        }
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.reduce.same.Sum(grad, out.reshape(reduced(g, dims)), dims));
        return out;
    }

    /** A [1, n] row of ones, kept for the next call. */
    private INDArray ones(long n, DataType type) {
        INDArray o = ones.get(n);
        if (o == null || o.dataType() != type) {
            o = Nd4j.ones(type, 1, n);
            ones.put(n, o);
        }
        return o;
    }

    /** {@code shape} without the axes {@code dims}. */
    private static long[] reduced(long[] shape, int[] dims) {
        long[] out = new long[shape.length - dims.length];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            final int axis = i;
            if (Arrays.stream(dims).noneMatch(d -> d == axis)) {
                out[k++] = shape[i];
            }
        }
        return out;
    }

    private static boolean fits(long[] shape, long[] declared) {
        if (shape.length != declared.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (declared[i] >= 0 && declared[i] != shape[i]) {
                return false;
            }
        }
        return true;
    }

    private void readDone(int ownerSlot, RecyclingMemoryMgr memory) {
        if (--remaining[ownerSlot] == 0) {
            release(ownerSlot, memory);
        }
    }

    private void release(int slot, RecyclingMemoryMgr memory) {
        memory.release(values[slot]);
    }

    private INDArray[] exec(Step step, int s, OpContext oc, INDArray[] in, int[] aliasOf, RecyclingMemoryMgr memory) {
        Arrays.fill(aliasOf, -1);
        switch (step.kind) {
            case IDENTITY -> {
                aliasOf[0] = step.in[0];
                return new INDArray[] {in[0]};
            }
            case PERMUTE -> {
                if (in[0].rank() == step.iArgs.length) {
                    int[] axes = new int[step.iArgs.length];
                    for (int i = 0; i < axes.length; i++) {
                        axes[i] = (int) step.iArgs[i];
                    }
                    aliasOf[0] = step.in[0];
                    return new INDArray[] {in[0].permute(axes)};
                }
            }
            case SOFTMAX_BP -> {
                return new INDArray[] {softmaxGradient(in[1], in[2], (int) step.iArgs[0], memory)};
            }
            case ADD_BP, SUB_BP -> {
                INDArray grad = in[2];
                INDArray[] out = new INDArray[2];
                for (int i = 0; i < 2; i++) {
                    long[] operand = shapes[step.in[i]];
                    boolean negate = i == 1 && step.kind == Kind.SUB_BP;
                    if (uses[step.out[i]] == 0 && !isOutput[step.out[i]]) {
                        continue;   // nobody reads it (the gradient of a constant): not computed
                    }
                    if (!Arrays.equals(operand, grad.shape())) {
                        out[i] = sumToShape(grad, operand, step.outTypes[i], memory);
                        if (negate) {
                            out[i].negi();
                        }
                    } else if (negate) {
                        out[i] = memory.allocate(false, step.outTypes[i], operand);
                        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.same.Negative(grad, out[i]));
                    } else {
                        aliasOf[i] = step.in[2];
                        out[i] = grad;
                    }
                }
                return out;
            }
            case MEAN_BP -> {
                return new INDArray[] {meanGradient(in[1], shapes[step.in[0]], step.iArgs, step.outTypes[0], memory)};
            }
            case SHAPE_OF -> {
                long[] shape = shapes[step.in[0]];
                INDArray out = memory.allocate(false, step.outTypes[0], shape.length);
                for (int i = 0; i < shape.length; i++) {
                    out.putScalar(i, shape[i]);
                }
                return new INDArray[] {out};
            }
            case RESHAPE -> {
                if (in[0].ordering() == 'c' && Shape.hasDefaultStridesForShape(in[0])) {
                    setArgs(s, oc, in);
                    List<LongShapeDescriptor> shapes = outputShapes(s, in,
                            () -> ((DynamicCustomOp) step.fn).calculateOutputShape(oc));
                    if (shapes.size() == 1 && shapes.get(0).getOrder() == 'c') {
                        aliasOf[0] = step.in[0];
                        return new INDArray[] {in[0].reshape('c', shapes.get(0).getShape())};
                    }
                }
            }
            default -> {
            }
        }
        try {
            List<LongShapeDescriptor> shapes;
            if (step.kind != Kind.LEGACY) {
                setArgs(s, oc, in);
                shapes = outputShapes(s, in, () -> ((DynamicCustomOp) step.fn).calculateOutputShape(oc));
            } else {
                oc.setInputArray(0, in[0]);
                if (in.length == 2) {
                    oc.setInputArray(1, in[1]);
                }
                shapes = outputShapes(s, in, () -> ((BaseOp) step.fn).calculateOutputShape(oc));
            }
            if (shapes == null || shapes.size() != step.out.length) {
                throw new IllegalStateException("op gave " + (shapes == null ? 0 : shapes.size()) + " output shapes for "
                        + step.out.length + " outputs");
            }
            INDArray[] out = new INDArray[step.out.length];
            for (int i = 0; i < out.length; i++) {
                LongShapeDescriptor shape = shapes.get(i);
                if (shape.dataType() != step.outTypes[i]) {
                    shape = shape.asDataType(step.outTypes[i]);
                }
                // a requested output outlives the call: exact size, never a longer pooled buffer
                out[i] = memory.allocate(isOutput[step.out[i]], shape);
                oc.setOutputArray(i, out[i]);
            }
            if (step.kind != Kind.LEGACY) {
                Nd4j.exec((CustomOp) step.fn, oc);
            } else {
                Nd4j.exec((Op) step.fn, oc);
            }
            return out;
        } catch (RuntimeException e) {
            throw new IllegalStateException("op '" + step.op.getName() + "' (" + step.fn.opName() + ") failed: "
                    + e.getMessage(), e);
        }
    }

    /** The step's inputs, and its fixed arguments where the context does not hold them yet. */
    private void setArgs(int s, OpContext oc, INDArray[] in) {
        if (argsSet[s]) {
            oc.setInputArrays(in);
            return;
        }
        Step step = steps[s];
        oc.setArgs(in, step.iArgs, step.dArgs, step.tArgs, step.bArgs);
        argsSet[s] = true;
    }

    /**
     * The output shapes of a step, computed again only when an input's shape (or, for integer
     * inputs, which carry shapes and indices, its values) differs from the last call's.
     */
    private List<LongShapeDescriptor> outputShapes(int s, INDArray[] in,
            java.util.function.Supplier<List<LongShapeDescriptor>> compute) {
        long[][] key = new long[in.length * 2][];
        for (int i = 0; i < in.length; i++) {
            key[2 * i] = in[i].shapeInfoJava();
            key[2 * i + 1] = in[i].dataType().isIntType() ? values(in[i]) : null;
        }
        long[][] last = lastInShapes[s];
        if (last != null && Arrays.deepEquals(last, key)) {
            return lastOutShapes[s];
        }
        List<LongShapeDescriptor> shapes = compute.get();
        lastInShapes[s] = key;
        lastOutShapes[s] = shapes;
        return shapes;
    }

    private static long[] values(INDArray a) {
        long[] v = new long[(int) Math.min(a.length(), 1024)];
        for (int j = 0; j < v.length; j++) {
            v[j] = a.getLong(j);
        }
        return v;
    }

    /** Frees the op contexts; the plan must not run afterwards. */
    void close() {
        ones.values().forEach(INDArray::close);
        ones.clear();
        for (int i = 0; i < contexts.length; i++) {
            if (contexts[i] != null) {
                try {
                    contexts[i].close();
                } catch (Exception e) {
                    // a context that does not close frees nothing more; the others still do
                }
                contexts[i] = null;
                argsSet[i] = false;
            }
        }
    }
}
