package dev.t2i.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a plan keeps per step between runs: one reusable op context, which holds the step's fixed
 * arguments once set, and the output shapes of the last call with the input shapes they were
 * computed for. {@link #close} frees the native contexts.
 */
final class StepContexts {
    private final Step[] steps;
    private final OpContext[] contexts;
    /**
     * Per step: whether its context already holds the step's fixed arguments. They are set once:
     * each setting allocates native arrays (JavaCPP counts physical memory at every allocation), a
     * few percent of a small model's step when done per run.
     */
    private final boolean[] argsSet;
    private final long[][][] lastInShapes;
    private final List<LongShapeDescriptor>[] lastOutShapes;

    StepContexts(Step[] steps) {
        this.steps = steps;
        this.contexts = new OpContext[steps.length];
        this.argsSet = new boolean[steps.length];
        this.lastInShapes = new long[steps.length][][];
        @SuppressWarnings("unchecked")
        List<LongShapeDescriptor>[] shapes = new List[steps.length];
        this.lastOutShapes = shapes;
    }

    /** Step {@code s}'s context, made on first use. */
    OpContext context(int s) {
        OpContext oc = contexts[s];
        if (oc == null) {
            oc = Nd4j.getExecutioner().buildContext();
            contexts[s] = oc;
        }
        return oc;
    }

    /** The step's inputs, and its fixed arguments where the context does not hold them yet. */
    void setArgs(int s, OpContext oc, INDArray[] in) {
        if (argsSet[s]) {
            oc.setInputArrays(in);
            return;
        }
        Step step = steps[s];
        oc.setArgs(in, step.iArgs(), step.dArgs(), step.tArgs(), step.bArgs());
        argsSet[s] = true;
    }

    /**
     * The output shapes of step {@code s}, computed again only when an input's shape (or, for
     * integer inputs, which carry shapes and indices, its values) differs from the last call's.
     */
    List<LongShapeDescriptor> outputShapes(int s, INDArray[] in, Supplier<List<LongShapeDescriptor>> compute) {
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

    /** Frees the op contexts; they must not be used afterwards. */
    void close() {
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
