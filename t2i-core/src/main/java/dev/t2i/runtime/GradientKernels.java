package dev.t2i.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradients a plan computes itself instead of through libnd4j's backward op (see
 * {@link Step.Kind}): from the forward pass's softmax probabilities, and from the shapes of the
 * operands, whose data need not be kept. Results come from the run's {@link RecyclingMemoryMgr}.
 * Keeps rows of ones between calls: {@link #close} frees them.
 */
final class GradientKernels {
    /** Rows of ones by length, for sums done as matrix products. */
    private final Map<Long, INDArray> ones = new HashMap<>();

    /** y·(g − Σ_axis g·y): the softmax gradient for incoming gradient g and probabilities y. */
    static INDArray softmaxGradient(INDArray g, INDArray y, int axis, RecyclingMemoryMgr memory) {
        int ax = axis < 0 ? axis + g.rank() : axis;
        INDArray gy = memory.allocate(false, g.dataType(), g.shape());
        Nd4j.exec(new MulOp(g, y, gy));
        long[] kept = g.shape().clone();
        kept[ax] = 1;
        INDArray sum = memory.allocate(false, g.dataType(), kept);
        Nd4j.exec(new Sum(gy, sum.reshape(reduced(g.shape(), new int[] {ax})), ax));
        INDArray out = memory.allocate(false, g.dataType(), g.shape());
        Nd4j.exec(new SubOp(g, sum, out));
        Nd4j.exec(new MulOp(out, y, out));
        memory.release(gy);
        memory.release(sum);
        return out;
    }

    /** 2·x·g: the gradient of the squared norm of {@code x} over {@code axes} (all when none) for incoming g. */
    static INDArray squaredNormGradient(INDArray x, INDArray g, long[] axes, RecyclingMemoryMgr memory) {
        long[] kept = x.shape().clone();
        if (axes == null || axes.length == 0) {
            Arrays.fill(kept, 1);
        } else {
            for (long a : axes) {
                kept[(int) (a < 0 ? a + kept.length : a)] = 1;
            }
        }
        INDArray out = memory.allocate(false, x.dataType(), x.shape());
        Nd4j.exec(new MulOp(x, g.reshape(kept), out));
        return out.muli(2.0);
    }

    /** The gradient of a mean of an array of {@code shape} over {@code axes} (all when none). */
    static INDArray meanGradient(INDArray g, long[] shape, long[] axes, DataType type, RecyclingMemoryMgr memory) {
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

    /**
     * The gradient of an operand that was broadcast to {@code grad}'s shape: {@code grad} summed
     * over the axes the operand was stretched along, in the operand's shape {@code o}.
     */
    INDArray sumToShape(INDArray grad, long[] o, DataType type, RecyclingMemoryMgr memory) {
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
        Nd4j.exec(new Sum(grad, out.reshape(reduced(g, dims)), dims));
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

    /** Frees the rows of ones. */
    void close() {
        ones.values().forEach(INDArray::close);
        ones.clear();
    }
}
