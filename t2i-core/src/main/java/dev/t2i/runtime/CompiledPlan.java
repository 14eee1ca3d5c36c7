package dev.t2i.runtime;

import java.util.Arrays;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A graph compiled for a set of requested outputs: the steps in run order and the slots they
 * read and write. Every graph value the steps touch has a slot, an index into the arrays a run
 * keeps per value; the leaves' slots come first, recomputed copies (see {@link Recomputation})
 * last. Made by {@link PlanCompiler}; not changed afterwards.
 *
 * @param outputs     the requested outputs, in the order asked for
 * @param outputSlots their slots
 * @param uses        per slot: how many step inputs read its data (shape-only reads do not count)
 * @param isOutput    per slot: whether it is a requested output
 * @param slotNames   per slot: the graph variable it holds
 */
record CompiledPlan(SameDiff sd, String[] outputs, int[] outputSlots, PlanLeaves leaves, Step[] steps, int[] uses,
        boolean[] isOutput, String[] slotNames) {

    int slotCount() {
        return slotNames.length;
    }

    /** This plan running {@code newSteps} over {@code newSlotNames}, which extend this plan's slots. */
    CompiledPlan withSteps(Step[] newSteps, String[] newSlotNames) {
        int n = newSlotNames.length;
        return new CompiledPlan(sd, outputs, outputSlots, leaves, newSteps, uses(newSteps, n),
                Arrays.copyOf(isOutput, n), newSlotNames);
    }

    /** Per slot of {@code slotCount}: how many steps read its data (shape-only reads do not count). */
    static int[] uses(Step[] steps, int slotCount) {
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
}
