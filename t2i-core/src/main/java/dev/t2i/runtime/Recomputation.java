package dev.t2i.runtime;

import dev.t2i.runtime.GraphPlan.Kind;
import dev.t2i.runtime.GraphPlan.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses the forward values of a gradient plan that the backward pass recomputes instead of
 * keeping, and rewrites the plan to do so.
 *
 * <p>A training step's memory peaks where the forward pass ends: every value a gradient will read
 * is alive then. Many of them are cheap element-wise results of one or two other values (the
 * GELU's three intermediates, a normalised row, a broadcast expanded to full size, a bias column
 * joined to an input): computing them again from their inputs just before the backward pass
 * reads them costs a few element-wise ops and frees their memory over the peak. A group of such
 * values is recomputed when the bytes it frees exceed the bytes of the inputs that must then be
 * kept for the recomputation (inputs that the backward pass keeps anyway cost nothing), sized by
 * the arrays of a real run. Small graphs, whose step time is mostly per-op overhead, are left
 * alone: below a total saving set by the caller the plan stays as it is. The recomputed ops are the forward ops on the same inputs, so the
 * values, and the gradients, are the same bit for bit.
 */
final class Recomputation {
    /** Ops cheap enough to run twice: element-wise, or copies. */
    private static final Set<String> CHEAP = Set.of("mul_scalar", "add_scalar", "erfc", "multiply", "add",
            "subtract", "fill", "rsqrt", "concat");

    /** The rewritten steps and the names of all slots, the new ones (recomputed copies) last. */
    record Result(Step[] steps, String[] slotNames) {
    }

    private Recomputation() {
    }

    /** Whether the plan computes gradients (SameDiff names them {@code …-grad}). */
    static boolean hasBackward(Step[] steps, String[] slotNames) {
        return backwardStart(steps, slotNames) >= 0;
    }

    private static int backwardStart(Step[] steps, String[] slotNames) {
        for (int s = 0; s < steps.length; s++) {
            for (int o : steps[s].out()) {
                if (slotNames[o].endsWith("-grad")) {
                    return s;
                }
            }
        }
        return -1;
    }

    /**
     * The plan with recomputation, or null where nothing is worth recomputing (or the plan has no
     * backward pass: no gradient outputs, named {@code …-grad} by SameDiff).
     *
     * @param ownBytes  per slot, the bytes of the array it owned in a run (0 for views)
     * @param minSaving the fewest bytes worth the extra ops
     */
    static Result plan(Step[] steps, String[] slotNames, int[] leafSlots, boolean[] isOutput, long[] ownBytes,
            long minSaving) {
        int n = slotNames.length;
        int backward = backwardStart(steps, slotNames);
        if (backward < 0) {
            return null;
        }
        boolean[] leaf = new boolean[n];
        for (int l : leafSlots) {
            leaf[l] = true;
        }
        int[] producer = new int[n];
        Arrays.fill(producer, -1);
        for (int s = 0; s < steps.length; s++) {
            for (int o : steps[s].out()) {
                producer[o] = s;
            }
        }
        // which slot's memory each slot is (views share their input's)
        int[] owner = new int[n];
        boolean[] readLate = new boolean[n];
        for (int i = 0; i < n; i++) {
            owner[i] = leaf[i] ? -1 : i;
        }
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (isView(st) && st.out().length == 1) {
                owner[st.out()[0]] = owner[st.in()[0]];
            }
            for (int i = 0; i < st.in().length; i++) {
                if (!st.shapeOnly()[i] && s >= backward) {
                    readLate[st.in()[i]] = true;
                }
            }
        }
        boolean[] ownerHeldLate = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (readLate[i] && owner[i] >= 0) {
                ownerHeldLate[owner[i]] = true;
            }
        }
        boolean[] member = new boolean[n];
        for (int s = 0; s < backward; s++) {
            Step st = steps[s];
            if (st.out().length == 1 && !isOutput[st.out()[0]] && (isView(st) || CHEAP.contains(st.fn().opName()))) {
                member[st.out()[0]] = true;
            }
        }
        // per slot, the bytes it costs to have it in the backward pass, and whether to recompute it
        // (its inputs cost less than keeping it; ties recompute) or keep it; slots come in forward order
        long[] need = new long[n];
        boolean[] recomputable = new boolean[n];
        for (int s = 0; s < backward; s++) {
            for (int o : steps[s].out()) {
                if (owner[o] < 0 || (ownerHeldLate[owner[o]] && !member[o])) {
                    continue;   // a leaf, or kept anyway
                }
                long keep = ownBytes[owner[o]];
                if (member[o]) {
                    long inputs = 0;
                    for (int i : dataInputs(steps[s])) {
                        inputs += need[i];
                    }
                    recomputable[o] = inputs <= keep;
                    need[o] = Math.min(keep, inputs);
                } else {
                    need[o] = keep;
                }
            }
        }
        // each member read late, with the values its recomputation recomputes and those it keeps;
        // members that share any of those are decided together
        int[] group = new int[n];
        for (int i = 0; i < n; i++) {
            group[i] = i;
        }
        Map<Integer, Set<Integer>> nodesOf = new HashMap<>();
        Map<Integer, Set<Integer>> rootsOf = new HashMap<>();
        for (int m = 0; m < n; m++) {
            if (member[m] && readLate[m]) {
                Set<Integer> nodes = new HashSet<>();
                Set<Integer> roots = new HashSet<>();
                expand(m, true, steps, producer, owner, ownerHeldLate, member, recomputable, nodes, roots);
                nodesOf.put(m, nodes);
                rootsOf.put(m, roots);
                for (int x : nodes) {
                    union(group, m, x);
                }
                for (int x : roots) {
                    union(group, m, x);
                }
            }
        }
        Map<Integer, List<Integer>> groups = new HashMap<>();
        for (int m : nodesOf.keySet()) {
            groups.computeIfAbsent(find(group, m), k -> new ArrayList<>()).add(m);
        }
        boolean[] recompute = new boolean[n];
        long saved = 0;
        for (List<Integer> g : groups.values()) {
            Set<Integer> nodes = new HashSet<>();
            Set<Integer> roots = new HashSet<>();
            for (int m : g) {
                nodes.addAll(nodesOf.get(m));
                roots.addAll(rootsOf.get(m));
            }
            Set<Integer> rootOwners = new HashSet<>();
            for (int r : roots) {
                if (!nodes.contains(r)) {
                    rootOwners.add(owner[r]);
                }
            }
            long cost = rootOwners.stream().filter(o -> !ownerHeldLate[o]).mapToLong(o -> ownBytes[o]).sum();
            // an owner is freed when every late reader of it (or of a view of it) reads a recomputed copy
            Set<Integer> freed = new HashSet<>();
            for (int m : g) {
                if (owner[m] >= 0 && !rootOwners.contains(owner[m])) {
                    freed.add(owner[m]);
                }
            }
            for (int i = 0; i < n; i++) {
                if (readLate[i] && owner[i] >= 0 && !nodes.contains(i)) {
                    freed.remove(owner[i]);
                }
            }
            long saving = freed.stream().mapToLong(o -> ownBytes[o]).sum();
            if (saving > cost) {
                nodes.forEach(x -> recompute[x] = true);
                saved += saving - cost;
            }
        }
        if (saved == 0 || saved < minSaving) {
            return null;
        }
        return rewrite(steps, slotNames, producer, recompute, backward);
    }

    /** Backward steps read recomputed copies, each made just before its first reader. */
    private static Result rewrite(Step[] steps, String[] slotNames, int[] producer, boolean[] recompute,
            int backward) {
        List<Step> out = new ArrayList<>(steps.length + 64);
        List<String> names = new ArrayList<>(Arrays.asList(slotNames));
        int[] copyOf = new int[slotNames.length];
        Arrays.fill(copyOf, -1);
        for (int s = 0; s < steps.length; s++) {
            Step st = steps[s];
            if (s >= backward) {
                st = readingCopies(st, steps, producer, recompute, copyOf, out, names);
            }
            out.add(st);
        }
        return new Result(out.toArray(new Step[0]), names.toArray(new String[0]));
    }

    private static Step readingCopies(Step st, Step[] steps, int[] producer, boolean[] recompute, int[] copyOf,
            List<Step> out, List<String> names) {
        int[] in = st.in().clone();
        boolean changed = false;
        for (int i = 0; i < in.length; i++) {
            if (!st.shapeOnly()[i] && in[i] < recompute.length && recompute[in[i]]) {
                in[i] = copy(in[i], steps, producer, recompute, copyOf, out, names);
                changed = true;
            }
        }
        return changed ? new Step(st.op(), st.fn(), st.kind(), in, st.shapeOnly(), st.out(), st.outTypes(),
                st.iArgs(), st.tArgs(), st.bArgs(), st.dArgs()) : st;
    }

    /** The slot of the recomputed copy of {@code slot}, adding the steps that make it on first use. */
    private static int copy(int slot, Step[] steps, int[] producer, boolean[] recompute, int[] copyOf,
            List<Step> out, List<String> names) {
        if (copyOf[slot] >= 0) {
            return copyOf[slot];
        }
        Step p = readingCopies(steps[producer[slot]], steps, producer, recompute, copyOf, out, names);
        int copy = names.size();
        names.add(names.get(slot) + "~recomputed");
        out.add(new Step(p.op(), p.fn(), p.kind(), p.in(), p.shapeOnly(), new int[] {copy}, p.outTypes(),
                p.iArgs(), p.tArgs(), p.bArgs(), p.dArgs()));
        copyOf[slot] = copy;
        return copy;
    }

    /**
     * Collects what recomputing {@code slot} takes: the members recomputed on the way
     * ({@code nodes}, the slot itself included) and the values read as they are ({@code roots}).
     */
    private static void expand(int slot, boolean top, Step[] steps, int[] producer, int[] owner,
            boolean[] ownerHeldLate, boolean[] member, boolean[] recomputable, Set<Integer> nodes, Set<Integer> roots) {
        if (owner[slot] < 0 || (!member[slot] && ownerHeldLate[owner[slot]])) {
            return;
        }
        if (!member[slot] || (!top && !recomputable[slot])) {
            roots.add(slot);
            return;
        }
        if (nodes.add(slot)) {
            for (int i : dataInputs(steps[producer[slot]])) {
                expand(i, false, steps, producer, owner, ownerHeldLate, member, recomputable, nodes, roots);
            }
        }
    }

    private static boolean isView(Step st) {
        return st.kind() == Kind.IDENTITY || st.kind() == Kind.RESHAPE || st.kind() == Kind.PERMUTE;
    }

    private static int[] dataInputs(Step st) {
        int k = 0;
        int[] in = new int[st.in().length];
        for (int i = 0; i < in.length; i++) {
            if (!st.shapeOnly()[i]) {
                in[k++] = st.in()[i];
            }
        }
        return Arrays.copyOf(in, k);
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void union(int[] parent, int a, int b) {
        parent[find(parent, a)] = find(parent, b);
    }
}
