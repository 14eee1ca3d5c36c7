package dev.t2i.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Applies a {@link Recomputation} to a gradient plan: from the first backward step on, every
 * step reads the recomputed copy of each value chosen for recomputation. A copy is made by the
 * value's forward step (itself reading copies where its inputs are recomputed too) into a new
 * slot named {@code …~recomputed}, inserted just before the copy's first reader. One rewrite per
 * instance.
 */
final class RecomputedCopies {
    private final Step[] steps;
    private final int[] producer;
    private final boolean[] recompute;
    /** Per original slot: the slot of its recomputed copy, -1 until made. */
    private final int[] copyOf;
    private final List<Step> out;
    private final List<String> names;

    RecomputedCopies(Step[] steps, String[] slotNames, int[] producer, boolean[] recompute) {
        this.steps = steps;
        this.producer = producer;
        this.recompute = recompute;
        this.copyOf = new int[slotNames.length];
        Arrays.fill(copyOf, -1);
        this.out = new ArrayList<>(steps.length + 64);
        this.names = new ArrayList<>(Arrays.asList(slotNames));
    }

    /** The steps with copies from step {@code backward} on, and the slots with the copies' last. */
    Recomputation.Result rewrite(int backward) {
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (s >= backward) {
                st = readingCopies(st);
            }
            out.add(st);
        }
        return new Recomputation.Result(out.toArray(new Step[0]), names.toArray(new String[0]));
    }

    /** {@code st} reading the recomputed copies of what it reads, made first where needed. */
    private Step readingCopies(Step st) {
        int[] in = st.in().clone();
        boolean changed = false;
        for (int i = 0; i < in.length; i++) {
            if (!st.shapeOnly()[i] && in[i] < recompute.length && recompute[in[i]]) {
                in[i] = copy(in[i]);
                changed = true;
            }
        }
        return changed ? st.withInputs(in, st.shapeOnly()) : st;
    }

    /** The slot of the recomputed copy of {@code slot}, adding the steps that make it on first use. */
    private int copy(int slot) {
        if (copyOf[slot] >= 0) {
            return copyOf[slot];
        }
        Step p = readingCopies(steps[producer[slot]]);
        int copy = names.size();
        names.add(names.get(slot) + "~recomputed");
        out.add(p.withOutputs(new int[] {copy}));
        copyOf[slot] = copy;
        return copy;
    }
}
