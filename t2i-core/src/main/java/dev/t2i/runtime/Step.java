package dev.t2i.runtime;

import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One op of a {@link CompiledPlan} as it runs: how it runs ({@link Kind}), the slots it reads and
 * writes, its outputs' data types and the op's fixed arguments, read once when the plan is made.
 *
 * <p>{@code shapeOnly[i]}: the step reads only input i's shape, so that input's data is not kept
 * alive for it. Most gradients of the forward pass need only their inputs' shapes (an add's, a
 * subtraction's, a reshape's via shape_of); counting those as reads kept half of a training step's
 * activations alive until the backward pass.
 *
 * <p>The fixed arguments ({@code iArgs} to {@code dArgs}) are null for legacy ops, which carry
 * none of them.
 */
record Step(SameDiffOp op, DifferentialFunction fn, Kind kind, int[] in, boolean[] shapeOnly, int[] out,
        DataType[] outTypes, long[] iArgs, double[] tArgs, boolean[] bArgs, DataType[] dArgs) {

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
        /**
         * The gradient of a squared norm over axes: 2·x·g, g spread over them. libnd4j's
         * reduce_sqnorm_bp took 7 ms for a [2048, 192] layer-norm row set, 20 times a multiply's time.
         */
        SQNORM_BP,
        /** A custom op, run through its op context. */
        CUSTOM,
        /** A legacy (transform, pairwise) op, run through its op context. */
        LEGACY
    }

    /** This step run as {@code k}. */
    Step withKind(Kind k) {
        return new Step(op, fn, k, in, shapeOnly, out, outTypes, iArgs, tArgs, bArgs, dArgs);
    }

    /** This step reading the slots {@code newIn}, with {@code newShapeOnly} per input. */
    Step withInputs(int[] newIn, boolean[] newShapeOnly) {
        return new Step(op, fn, kind, newIn, newShapeOnly, out, outTypes, iArgs, tArgs, bArgs, dArgs);
    }

    /** This step writing the slots {@code newOut}. */
    Step withOutputs(int[] newOut) {
        return new Step(op, fn, kind, in, shapeOnly, newOut, outTypes, iArgs, tArgs, bArgs, dArgs);
    }
}
