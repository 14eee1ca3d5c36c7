package dev.t2i.nn;

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
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a SameDiff graph from a plan made once per thread and set of requested outputs: the ops
 * those outputs need in a fixed order, each op's input and output slots, the point after which
 * every intermediate array is dead, and one reusable op context per op with the output shapes
 * of the last call. Not thread-safe: {@link PlannedSession} keeps a thread's plans.
 *
 * <p>Why not SameDiff's own session: {@code InferenceSession} of 1.0.0-M2.1 works all of that out
 * again on every call and every op (a copy of the variable map, the subgraph search, dependency
 * sets, name look-ups, an output-shape call into native code per op). Measured on the seed
 * sampling graph, 790 ops of 0.2 ms on average, that bookkeeping was a quarter of the run.
 * The ops themselves, their arguments and the arrays they get are the same as the session's,
 * so the results are too ({@code GraphPlanTest} compares every output and gradient).
 *
 * <p>Graphs with ops this plan does not run (control flow, tensor arrays and the like) are left to
 * SameDiff: {@link #of} returns null for them.
 */
final class GraphPlan {
    private enum Kind { IDENTITY, CUSTOM, LEGACY }

    private record Step(SameDiffOp op, DifferentialFunction fn, Kind kind, int[] in, int[] out,
            DataType[] outTypes, long[] iArgs, double[] tArgs, boolean[] bArgs, DataType[] dArgs, int[] releaseAfter) {
    }

    private final SameDiff sd;
    private final String[] outputs;
    private final int[] outputSlots;
    private final String[] leafNames;
    private final int[] leafSlots;
    private final boolean[] leafIsPlaceholder;
    private final Step[] steps;
    private final int slotCount;
    private final OpContext[] contexts;
    private final long[][][] lastInShapes;
    private final List<LongShapeDescriptor>[] lastOutShapes;
    private final INDArray[] values;

    private GraphPlan(SameDiff sd, String[] outputs, int[] outputSlots, String[] leafNames, int[] leafSlots,
            boolean[] leafIsPlaceholder, Step[] steps, int slotCount) {
        this.sd = sd;
        this.outputs = outputs;
        this.outputSlots = outputSlots;
        this.leafNames = leafNames;
        this.leafSlots = leafSlots;
        this.leafIsPlaceholder = leafIsPlaceholder;
        this.steps = steps;
        this.slotCount = slotCount;
        this.contexts = new OpContext[steps.length];
        this.lastInShapes = new long[steps.length][][];
        @SuppressWarnings("unchecked")
        List<LongShapeDescriptor>[] shapes = new List[steps.length];
        this.lastOutShapes = shapes;
        this.values = new INDArray[slotCount];
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
        // aliases: an identity's output is its input's array
        int[] root = new int[n];
        for (int i = 0; i < n; i++) {
            root[i] = i;
        }
        int[] lastUse = new int[n];
        Arrays.fill(lastUse, -1);
        boolean[] kept = new boolean[n];
        for (String leaf : leaves) {
            kept[slots.get(leaf)] = true;
        }
        Step[] steps = new Step[order.size()];
        for (int s = 0; s < order.size(); s++) {
            SameDiffOp op = order.get(s);
            DifferentialFunction fn = op.getOp();
            List<String> ins = op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
            int[] in = ins.stream().mapToInt(slots::get).toArray();
            List<String> outs = op.getOutputsOfOp();
            int[] out = outs.stream().mapToInt(slots::get).toArray();
            DataType[] types = outs.stream().map(name -> sd.getVariable(name).dataType()).toArray(DataType[]::new);
            Kind kind = fn instanceof Identity ? Kind.IDENTITY : fn instanceof CustomOp ? Kind.CUSTOM : Kind.LEGACY;
            if (kind == Kind.IDENTITY) {
                root[out[0]] = root[in[0]];
            }
            for (int i : in) {
                lastUse[root[i]] = Math.max(lastUse[root[i]], s);
            }
            for (int o : out) {
                lastUse[root[o]] = Math.max(lastUse[root[o]], s);
            }
            long[] iArgs = null;
            double[] tArgs = null;
            boolean[] bArgs = null;
            DataType[] dArgs = null;
            if (kind == Kind.CUSTOM) {
                DynamicCustomOp c = (DynamicCustomOp) fn;
                iArgs = c.iArgs();
                tArgs = c.tArgs();
                bArgs = c.bArgs();
                dArgs = c.dArgs();
            }
            steps[s] = new Step(op, fn, kind, in, out, types, iArgs, tArgs, bArgs, dArgs, null);
        }
        int[] outputSlots = Arrays.stream(outputs).mapToInt(slots::get).toArray();
        for (int o : outputSlots) {
            kept[root[o]] = true;
        }
        List<List<Integer>> release = new ArrayList<>();
        for (int s = 0; s < steps.length; s++) {
            release.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            if (root[i] == i && !kept[i] && lastUse[i] >= 0) {
                release.get(lastUse[i]).add(i);
            }
        }
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            steps[s] = new Step(st.op, st.fn, st.kind, st.in, st.out, st.outTypes, st.iArgs, st.tArgs, st.bArgs,
                    st.dArgs, release.get(s).stream().mapToInt(Integer::intValue).toArray());
        }
        String[] leafNames = leaves.toArray(new String[0]);
        int[] leafSlots = leaves.stream().mapToInt(slots::get).toArray();
        boolean[] isPlaceholder = new boolean[leafNames.length];
        for (int i = 0; i < leafNames.length; i++) {
            isPlaceholder[i] = sd.getVariable(leafNames[i]).getVariableType() == VariableType.PLACEHOLDER;
        }
        return new GraphPlan(sd, outputs.clone(), outputSlots, leafNames, leafSlots, isPlaceholder, steps, n);
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
            SDVariable v = sd.getVariable(var);
            VariableType type = v.getVariableType();
            if (type == VariableType.PLACEHOLDER || type == VariableType.VARIABLE || type == VariableType.CONSTANT) {
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
                    && !fn.getClass().getSimpleName().equals("CreateView") && !fn.getClass().getSimpleName().equals("Invoke");
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
                values[leafSlots[i]] = a;
            }
            List<Listener> listeners = sd.getListeners();
            boolean listening = listeners != null && !listeners.isEmpty();
            At at = listening ? At.defaultAt(Operation.INFERENCE) : null;
            for (int s = 0; s < steps.length; s++) {
                Step step = steps[s];
                if (step.kind == Kind.IDENTITY) {
                    values[step.out[0]] = values[step.in[0]];
                    continue;
                }
                OpContext oc = contexts[s];
                if (oc == null) {
                    oc = Nd4j.getExecutioner().buildContext();
                    contexts[s] = oc;
                }
                INDArray[] in = new INDArray[step.in.length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = values[step.in[i]];
                }
                if (listening) {
                    for (Listener l : listeners) {
                        l.preOpExecution(sd, at, step.op, oc);
                    }
                }
                INDArray[] out = exec(step, s, oc, in, memory);
                if (listening) {
                    for (Listener l : listeners) {
                        l.opExecution(sd, at, null, step.op, oc, out);
                    }
                }
                for (int i = 0; i < out.length; i++) {
                    values[step.out[i]] = out[i];
                }
                for (int r : step.releaseAfter) {
                    memory.release(values[r]);
                    values[r] = null;
                }
            }
            Map<String, INDArray> result = new LinkedHashMap<>();
            for (int i = 0; i < outputs.length; i++) {
                result.put(outputs[i], values[outputSlots[i]]);
            }
            return result;
        } finally {
            Arrays.fill(values, null);
        }
    }

    private INDArray[] exec(Step step, int s, OpContext oc, INDArray[] in, RecyclingMemoryMgr memory) {
        try {
            List<LongShapeDescriptor> shapes;
            if (step.kind == Kind.CUSTOM) {
                oc.setArgs(in, step.iArgs, step.dArgs, step.tArgs, step.bArgs);
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
                out[i] = memory.allocate(false, shape);
                oc.setOutputArray(i, out[i]);
            }
            if (step.kind == Kind.CUSTOM) {
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
        for (int i = 0; i < contexts.length; i++) {
            if (contexts[i] != null) {
                try {
                    contexts[i].close();
                } catch (Exception e) {
                    // a context that does not close frees nothing more; the others still do
                }
                contexts[i] = null;
            }
        }
    }
}
