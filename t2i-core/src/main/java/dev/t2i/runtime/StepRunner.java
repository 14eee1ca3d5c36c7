package dev.t2i.runtime;

import dev.t2i.runtime.Step.Kind;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BaseOp;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Computes one step's outputs from its inputs: without the op where the result is an input's
 * data as it is or one of the plan's own gradients ({@link Step.Kind}), else through the op on
 * the step's reusable context. Which slots live how long is {@link PlanExecutor}'s business.
 */
final class StepRunner {
    private final CompiledPlan plan;
    private final StepContexts contexts;
    private final GradientKernels kernels = new GradientKernels();

    StepRunner(CompiledPlan plan) {
        this.plan = plan;
        this.contexts = new StepContexts(plan.steps());
    }

    /** Step {@code s}'s op context, made on first use; the caller purges it after the step. */
    OpContext context(int s) {
        return contexts.context(s);
    }

    /**
     * Runs step {@code s}.
     *
     * @param in         the inputs' arrays, null where the step reads only the shape
     * @param slotShapes per slot, the shape of its value in this run
     * @param aliasOf    filled per output: the input slot whose data it is, or -1 for a new array
     * @return per output its array; null for an output nobody reads that was not computed
     */
    INDArray[] run(int s, OpContext oc, INDArray[] in, long[][] slotShapes, int[] aliasOf, RecyclingMemoryMgr memory) {
        Arrays.fill(aliasOf, -1);
        Step step = plan.steps()[s];
        INDArray[] out = withoutOp(step, s, oc, in, slotShapes, aliasOf, memory);
        return out != null ? out : throughOp(step, s, oc, in, memory);
    }

    /** The step's outputs where its kind computes them without its op; null where the op must run. */
    private INDArray[] withoutOp(Step step, int s, OpContext oc, INDArray[] in, long[][] slotShapes, int[] aliasOf,
            RecyclingMemoryMgr memory) {
        switch (step.kind()) {
            case IDENTITY -> {
                aliasOf[0] = step.in()[0];
                return new INDArray[] {in[0]};
            }
            case PERMUTE -> {
                if (in[0].rank() == step.iArgs().length) {
                    int[] axes = new int[step.iArgs().length];
                    for (int i = 0; i < axes.length; i++) {
                        axes[i] = (int) step.iArgs()[i];
                    }
                    aliasOf[0] = step.in()[0];
                    return new INDArray[] {in[0].permute(axes)};
                }
                return null;
            }
            case SOFTMAX_BP -> {
                return new INDArray[] {GradientKernels.softmaxGradient(in[1], in[2], (int) step.iArgs()[0], memory)};
            }
            case ADD_BP, SUB_BP -> {
                return sumGradients(step, in[2], slotShapes, aliasOf, memory);
            }
            case MEAN_BP -> {
                return new INDArray[] {GradientKernels.meanGradient(in[1], slotShapes[step.in()[0]], step.iArgs(),
                        step.outTypes()[0], memory)};
            }
            case SQNORM_BP -> {
                return new INDArray[] {GradientKernels.squaredNormGradient(in[0], in[1], step.iArgs(), memory)};
            }
            case SHAPE_OF -> {
                long[] shape = slotShapes[step.in()[0]];
                INDArray out = memory.allocate(false, step.outTypes()[0], shape.length);
                for (int i = 0; i < shape.length; i++) {
                    out.putScalar(i, shape[i]);
                }
                return new INDArray[] {out};
            }
            case RESHAPE -> {
                return reshapeView(step, s, oc, in, aliasOf);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * The gradients of an add or a subtraction for incoming gradient {@code grad}: per operand,
     * {@code grad} itself where the operand has its shape, else summed to the operand's shape;
     * the subtrahend's negated.
     */
    private INDArray[] sumGradients(Step step, INDArray grad, long[][] slotShapes, int[] aliasOf,
            RecyclingMemoryMgr memory) {
        INDArray[] out = new INDArray[2];
        for (int i = 0; i < 2; i++) {
            long[] operand = slotShapes[step.in()[i]];
            boolean negate = i == 1 && step.kind() == Kind.SUB_BP;
            if (plan.uses()[step.out()[i]] == 0 && !plan.isOutput()[step.out()[i]]) {
                continue;   // nobody reads it (the gradient of a constant): not computed
            }
            if (!Arrays.equals(operand, grad.shape())) {
                out[i] = kernels.sumToShape(grad, operand, step.outTypes()[i], memory);
                if (negate) {
                    out[i].negi();
                }
            } else if (negate) {
                out[i] = memory.allocate(false, step.outTypes()[i], operand);
                Nd4j.exec(new Negative(grad, out[i]));
            } else {
                aliasOf[i] = step.in()[2];
                out[i] = grad;
            }
        }
        return out;
    }

    /** A reshape as a view of its input where that is row-major and so is the result; else null. */
    private INDArray[] reshapeView(Step step, int s, OpContext oc, INDArray[] in, int[] aliasOf) {
        if (in[0].ordering() == 'c' && Shape.hasDefaultStridesForShape(in[0])) {
            contexts.setArgs(s, oc, in);
            List<LongShapeDescriptor> shapes = contexts.outputShapes(s, in,
                    () -> ((DynamicCustomOp) step.fn()).calculateOutputShape(oc));
            if (shapes.size() == 1 && shapes.get(0).getOrder() == 'c') {
                aliasOf[0] = step.in()[0];
                return new INDArray[] {in[0].reshape('c', shapes.get(0).getShape())};
            }
        }
        return null;
    }

    /** The step's outputs from its op, in new arrays of the step's output types. */
    private INDArray[] throughOp(Step step, int s, OpContext oc, INDArray[] in, RecyclingMemoryMgr memory) {
        try {
            List<LongShapeDescriptor> shapes;
            if (step.kind() != Kind.LEGACY) {
                contexts.setArgs(s, oc, in);
                shapes = contexts.outputShapes(s, in, () -> ((DynamicCustomOp) step.fn()).calculateOutputShape(oc));
            } else {
                oc.setInputArray(0, in[0]);
                if (in.length == 2) {
                    oc.setInputArray(1, in[1]);
                }
                shapes = contexts.outputShapes(s, in, () -> ((BaseOp) step.fn()).calculateOutputShape(oc));
            }
            if (shapes == null || shapes.size() != step.out().length) {
                throw new IllegalStateException("op gave " + (shapes == null ? 0 : shapes.size()) + " output shapes for "
                        + step.out().length + " outputs");
            }
            INDArray[] out = new INDArray[step.out().length];
            for (int i = 0; i < out.length; i++) {
                LongShapeDescriptor shape = shapes.get(i);
                if (shape.dataType() != step.outTypes()[i]) {
                    shape = shape.asDataType(step.outTypes()[i]);
                }
                // a requested output outlives the call: exact size, never a longer pooled buffer
                out[i] = memory.allocate(plan.isOutput()[step.out()[i]], shape);
                oc.setOutputArray(i, out[i]);
            }
            if (step.kind() != Kind.LEGACY) {
                Nd4j.exec((CustomOp) step.fn(), oc);
            } else {
                Nd4j.exec((Op) step.fn(), oc);
            }
            return out;
        } catch (RuntimeException e) {
            throw new IllegalStateException("op '" + step.op().getName() + "' (" + step.fn().opName() + ") failed: "
                    + e.getMessage(), e);
        }
    }

    /** Frees the rows of ones and the op contexts; the runner must not run afterwards. */
    void close() {
        kernels.close();
        contexts.close();
    }
}
