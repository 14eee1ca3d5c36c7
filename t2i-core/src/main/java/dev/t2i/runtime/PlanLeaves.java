package dev.t2i.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The values a plan reads but does not compute: placeholders, given per call, and the graph's
 * variables and constants. {@code shapes[i]} is a placeholder's declared shape (-1 where any size
 * goes), null for the others.
 */
record PlanLeaves(String[] names, int[] slots, boolean[] isPlaceholder, long[][] shapes) {

    /** The leaves {@code names} of {@code sd}, held in {@code slots}. */
    static PlanLeaves of(SameDiff sd, List<String> names, int[] slots) {
        int n = names.size();
        boolean[] isPlaceholder = new boolean[n];
        long[][] shapes = new long[n][];
        for (int i = 0; i < n; i++) {
            SDVariable leaf = sd.getVariable(names.get(i));
            isPlaceholder[i] = leaf.getVariableType() == VariableType.PLACEHOLDER;
            if (isPlaceholder[i]) {
                shapes[i] = leaf.placeholderShape();
            }
        }
        return new PlanLeaves(names.toArray(new String[0]), slots, isPlaceholder, shapes);
    }

    int count() {
        return names.length;
    }

    /** The array given for placeholder {@code i}, null where it is not a placeholder or none was given. */
    INDArray given(int i, Map<String, INDArray> inputs) {
        return isPlaceholder[i] ? inputs.get(names[i]) : null;
    }

    /** Whether leaf {@code i} is a placeholder whose first size is free: one row per batch item. */
    boolean isBatched(int i) {
        return shapes[i] != null && shapes[i].length > 0 && shapes[i][0] < 0;
    }

    /**
     * Leaf {@code i}'s array for a run on {@code inputs}.
     *
     * @throws IllegalArgumentException where a placeholder has no array or one of a shape its
     *         declaration does not take, or the graph has no array for a variable
     */
    INDArray array(int i, Map<String, INDArray> inputs, SameDiff sd) {
        INDArray a = isPlaceholder[i] ? inputs.get(names[i]) : sd.getArrForVarName(names[i]);
        if (a == null) {
            throw new IllegalArgumentException(isPlaceholder[i]
                    ? "no array was given for the placeholder '" + names[i] + "'"
                    : "the graph has no array for '" + names[i] + "'");
        }
        if (shapes[i] != null && !fits(a.shape(), shapes[i])) {
            throw new IllegalArgumentException("placeholder '" + names[i] + "' got shape "
                    + Arrays.toString(a.shape()) + ", the graph takes " + Arrays.toString(shapes[i]));
        }
        return a;
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
}
