package dev.t2i.runtime;

import dev.t2i.runtime.Step.Kind;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.shape.Permute;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SoftmaxBp;

/**
 * Rewrites of a compiled step list that need more than the step itself: which other steps it
 * pairs with or which steps read its result. Each rewrite changes how a step runs, never what it
 * computes.
 */
final class StepRewrites {
    private StepRewrites() {
    }

    /**
     * Softmax gradients whose softmax is in the plan (same scores, same axes) become
     * {@link Kind#SOFTMAX_BP} steps that read its probabilities instead of the scores, so the
     * scores need not be kept for the backward pass (libnd4j's softmax_bp computes the softmax
     * again from them).
     */
    static void softmaxGradientsFromProbabilities(Step[] steps) {
        // softmax outputs by scores slot and axes
        Map<String, Integer> probabilitiesOf = new HashMap<>();
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (st.fn() instanceof SoftMax && st.in().length == 1) {
                probabilitiesOf.put(softmaxKey(st.in()[0], st.iArgs()), st.out()[0]);
            }
            if (st.fn() instanceof SoftmaxBp && st.in().length == 2 && st.out().length == 1) {
                Integer probs = probabilitiesOf.get(softmaxKey(st.in()[0], st.iArgs()));
                if (probs != null) {
                    // inputs: the scores (only their shape), the incoming gradient, the probabilities
                    steps[s] = st.withKind(Kind.SOFTMAX_BP).withInputs(new int[] {st.in()[0], st.in()[1], probs},
                            new boolean[] {true, false, false});
                }
            }
        }
    }

    private static String softmaxKey(int scores, long[] axes) {
        return scores + ":" + Arrays.toString(axes);
    }

    /**
     * Permutations whose every reader is a matrix product (or reads only their shape) become
     * {@link Kind#PERMUTE} steps, views of their input with permuted strides.
     *
     * @param uses per slot, the data reads of it ({@link CompiledPlan#uses}): a permutation nobody
     *             reads stays as it is
     */
    static void permutationsAsViews(Step[] steps, int[] uses) {
        boolean[] onlyProducts = new boolean[uses.length];
        Arrays.fill(onlyProducts, true);
        for (Step st : steps) {
            boolean product = st.fn() instanceof Mmul || st.fn() instanceof MmulBp;
            for (int i = 0; i < st.in().length; i++) {
                onlyProducts[st.in()[i]] &= product || st.shapeOnly()[i];
            }
        }
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (st.fn() instanceof Permute && st.kind() == Kind.CUSTOM && st.in().length == 1 && st.iArgs().length > 0
                    && uses[st.out()[0]] > 0 && onlyProducts[st.out()[0]]) {
                steps[s] = st.withKind(Kind.PERMUTE);
            }
        }
    }
}
