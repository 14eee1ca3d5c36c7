package dev.t2i.runtime;

import dev.t2i.runtime.Step.Kind;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.bp.MeanBp;
import org.nd4j.linalg.api.ops.impl.reduce.bp.SquaredNormBp;
import org.nd4j.linalg.api.ops.impl.shape.Reshape;
import org.nd4j.linalg.api.ops.impl.shape.Shape;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.AddBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.SubBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;

/**
 * Compiles a graph's requested outputs to a {@link CompiledPlan}: orders the ops they need
 * ({@link OpOrder}), numbers the values the ops touch as slots, makes a {@link Step} per op with
 * the way it runs chosen by the op's type, and applies the {@link StepRewrites}.
 */
final class PlanCompiler {
    private PlanCompiler() {
    }

    /** The plan for {@code outputs} of {@code sd}; null where the graph has an op a plan does not run. */
    static CompiledPlan compile(SameDiff sd, String... outputs) {
        OpOrder order = OpOrder.of(sd, outputs);
        if (order == null) {
            return null;
        }
        Map<String, Integer> slots = slots(order);
        Step[] steps = new Step[order.ops().size()];
        for (int s = 0; s < steps.length; s++) {
            steps[s] = step(sd, order.ops().get(s), slots);
        }
        StepRewrites.softmaxGradientsFromProbabilities(steps);
        int n = slots.size();
        int[] uses = CompiledPlan.uses(steps, n);
        StepRewrites.permutationsAsViews(steps, uses);
        int[] outputSlots = Arrays.stream(outputs).mapToInt(slots::get).toArray();
        boolean[] isOutput = new boolean[n];
        for (int o : outputSlots) {
            isOutput[o] = true;
        }
        PlanLeaves leaves = PlanLeaves.of(sd, order.leaves(), order.leaves().stream().mapToInt(slots::get).toArray());
        return new CompiledPlan(sd, outputs.clone(), outputSlots, leaves, steps, uses, isOutput,
                slots.keySet().toArray(new String[0]));
    }

    /** Slot numbers by variable name: the leaves first, then the ops' outputs in run order. */
    private static Map<String, Integer> slots(OpOrder order) {
        Map<String, Integer> slots = new LinkedHashMap<>();
        for (String leaf : order.leaves()) {
            slots.computeIfAbsent(leaf, k -> slots.size());
        }
        for (SameDiffOp op : order.ops()) {
            for (String name : op.getOutputsOfOp()) {
                slots.computeIfAbsent(name, k -> slots.size());
            }
        }
        return slots;
    }

    /** The step that runs {@code op}, reading and writing the slots of {@code slots}. */
    private static Step step(SameDiff sd, SameDiffOp op, Map<String, Integer> slots) {
        DifferentialFunction fn = op.getOp();
        List<String> ins = op.getInputsToOp() == null ? List.of() : op.getInputsToOp();
        int[] in = ins.stream().mapToInt(slots::get).toArray();
        List<String> outs = op.getOutputsOfOp();
        int[] out = outs.stream().mapToInt(slots::get).toArray();
        DataType[] types = outs.stream().map(name -> sd.getVariable(name).dataType()).toArray(DataType[]::new);
        Kind kind = kind(fn, in.length, out.length, types,
                fn instanceof Reshape ? sd.getVariable(ins.get(0)).dataType() : null);
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
        return new Step(op, fn, kind, in, shapeOnly(kind, in.length), out, types, iArgs, tArgs, bArgs, dArgs);
    }

    /**
     * How {@code fn} runs, by its type and arity: the ops the plan runs itself where their result
     * is an input's data as it is or follows from the inputs' shapes, else through the op.
     *
     * @param inType the data type of a reshape's input (a reshape that also converts runs as the op)
     */
    private static Kind kind(DifferentialFunction fn, int ins, int outs, DataType[] outTypes, DataType inType) {
        if (fn instanceof Identity) {
            return Kind.IDENTITY;
        }
        if (fn instanceof Reshape && outTypes[0] == inType) {
            return Kind.RESHAPE;
        }
        if (fn instanceof AddBpOp && ins == 3 && outs == 2) {
            return Kind.ADD_BP;
        }
        if (fn instanceof SubBpOp && ins == 3 && outs == 2) {
            return Kind.SUB_BP;
        }
        if (fn instanceof Shape && ins == 1 && outs == 1 && outTypes[0].isIntType()) {
            return Kind.SHAPE_OF;
        }
        if (fn instanceof MeanBp && ins == 2 && outs == 1) {
            return Kind.MEAN_BP;
        }
        if (fn instanceof SquaredNormBp && ins == 2 && outs == 1) {
            return Kind.SQNORM_BP;
        }
        return fn instanceof CustomOp ? Kind.CUSTOM : Kind.LEGACY;
    }

    /** Which inputs a step of {@code kind} reads only the shape of. */
    private static boolean[] shapeOnly(Kind kind, int ins) {
        boolean[] shapeOnly = new boolean[ins];
        if (kind == Kind.ADD_BP || kind == Kind.SUB_BP) {
            // the operands' shapes say how to reduce the incoming gradient (input 2)
            shapeOnly[0] = true;
            shapeOnly[1] = true;
        }
        if (kind == Kind.SHAPE_OF || kind == Kind.MEAN_BP) {
            // shape_of reads its input's shape; a mean's gradient that of the array it averaged
            shapeOnly[0] = true;
        }
        return shapeOnly;
    }
}
