package dev.t2i.runtime;

import dev.t2i.runtime.Step.Kind;
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
 * GELU's three intermediates, a normalised row, a broadcast expanded to full size): computing
 * them again from their inputs just before the backward pass reads them costs a few
 * element-wise ops and frees their memory over the peak. A group of such values is recomputed
 * when the bytes it frees exceed the bytes of the inputs that must then be kept for the recomputation (inputs that the backward pass keeps anyway cost nothing), sized by
 * the arrays of a real run. Small graphs, whose step time is mostly per-op overhead, are left
 * alone: below a total saving set by the caller the plan stays as it is. The recomputed ops are
 * the forward ops on the same inputs, so the values, and the gradients, are the same bit for bit.
 *
 * <p>An instance holds the analysis of one plan: who makes and owns each slot, which slots the
 * backward pass reads, and which may be recomputed.
 */
final class Recomputation {
    /** Ops cheap enough to run twice, by op name: element-wise, or copies. */
    private static final Set<String> CHEAP = Set.of("mul_scalar", "add_scalar", "erfc", "multiply", "add",
            "subtract", "fill", "rsqrt", "concat");

    /** The rewritten steps and the names of all slots, the new ones (recomputed copies) last. */
    record Result(Step[] steps, String[] slotNames) {
    }

    /**
     * Members whose recomputations share a value, decided together.
     *
     * @param members the members read by the backward pass
     * @param nodes   the members their recomputation recomputes (themselves included)
     * @param roots   the values their recomputation reads as they are
     */
    private record Group(List<Integer> members, Set<Integer> nodes, Set<Integer> roots) {
    }

    private final Step[] steps;
    private final int slotCount;
    /** Per slot, the bytes of the array it owned in a run (0 for views). */
    private final long[] ownBytes;
    /** Per slot: the step that makes it (-1: a leaf). */
    private final int[] producer;
    /** Per slot: the slot whose memory it is (views share their input's; -1: a leaf's). */
    private final int[] owner;
    /** Per slot: whether a backward step reads its data. */
    private final boolean[] readLate;
    /** Per owning slot: whether a backward step reads its data, directly or through a view. */
    private final boolean[] ownerHeldLate;
    /** Per slot: whether it may be recomputed (a cheap forward value of one op, not an output). */
    private final boolean[] member;
    /** Per member: whether recomputing it from its inputs costs no more than keeping it. */
    private final boolean[] recomputable;

    private Recomputation(Step[] steps, int slotCount, int[] leafSlots, boolean[] isOutput, long[] ownBytes,
            int backward) {
        this.steps = steps;
        this.slotCount = slotCount;
        this.ownBytes = ownBytes;
        this.producer = producers(steps, slotCount);
        this.owner = owners(steps, slotCount, leafSlots);
        this.readLate = readFrom(backward);
        this.ownerHeldLate = ownersHeldLate();
        this.member = members(isOutput, backward);
        this.recomputable = recomputable(backward);
    }

    /** Whether the plan computes gradients (SameDiff names them {@code …-grad}). */
    static boolean hasBackward(Step[] steps, String[] slotNames) {
        return backwardStart(steps, slotNames) >= 0;
    }

    /** The first step that makes a gradient; -1 where none does. */
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
        int backward = backwardStart(steps, slotNames);
        if (backward < 0) {
            return null;
        }
        Recomputation analysis = new Recomputation(steps, slotNames.length, leafSlots, isOutput, ownBytes, backward);
        boolean[] recompute = new boolean[slotNames.length];
        long saved = analysis.choose(recompute);
        if (saved == 0 || saved < minSaving) {
            return null;
        }
        return new RecomputedCopies(steps, slotNames, analysis.producer, recompute).rewrite(backward);
    }

    /** Marks the slots of every group worth recomputing in {@code recompute}; the bytes that saves. */
    private long choose(boolean[] recompute) {
        long saved = 0;
        for (Group g : groups()) {
            long net = netSaving(g);
            if (net > 0) {
                g.nodes().forEach(x -> recompute[x] = true);
                saved += net;
            }
        }
        return saved;
    }

    private static int[] producers(Step[] steps, int slotCount) {
        int[] producer = new int[slotCount];
        Arrays.fill(producer, -1);
        for (int s = 0; s < steps.length; s++) {
            for (int o : steps[s].out()) {
                producer[o] = s;
            }
        }
        return producer;
    }

    private static int[] owners(Step[] steps, int slotCount, int[] leafSlots) {
        boolean[] leaf = new boolean[slotCount];
        for (int l : leafSlots) {
            leaf[l] = true;
        }
        int[] owner = new int[slotCount];
        for (int i = 0; i < slotCount; i++) {
            owner[i] = leaf[i] ? -1 : i;
        }
        for (Step st : steps) {
            if (isView(st) && st.out().length == 1) {
                owner[st.out()[0]] = owner[st.in()[0]];
            }
        }
        return owner;
    }

    /** Per slot: whether a step from {@code first} on reads its data. */
    private boolean[] readFrom(int first) {
        boolean[] read = new boolean[slotCount];
        for (int s = first; s < steps.length; s++) {
            Step st = steps[s];
            for (int i = 0; i < st.in().length; i++) {
                if (!st.shapeOnly()[i]) {
                    read[st.in()[i]] = true;
                }
            }
        }
        return read;
    }

    private boolean[] ownersHeldLate() {
        boolean[] held = new boolean[slotCount];
        for (int i = 0; i < slotCount; i++) {
            if (readLate[i] && owner[i] >= 0) {
                held[owner[i]] = true;
            }
        }
        return held;
    }

    /** The forward values that may be recomputed: views and cheap ops' single outputs, not requested. */
    private boolean[] members(boolean[] isOutput, int backward) {
        boolean[] m = new boolean[slotCount];
        for (int s = 0; s < backward; s++) {
            Step st = steps[s];
            if (st.out().length == 1 && !isOutput[st.out()[0]] && (isView(st) || CHEAP.contains(st.fn().opName()))) {
                m[st.out()[0]] = true;
            }
        }
        return m;
    }

    /**
     * Per member, whether its inputs cost no more to have in the backward pass than it does
     * (ties recompute). A slot's cost is its bytes where it is kept, its inputs' costs where it is
     * recomputed, whichever is less; slots come in forward order, so inputs are costed first.
     */
    private boolean[] recomputable(int backward) {
        long[] need = new long[slotCount];
        boolean[] cheaper = new boolean[slotCount];
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
                    cheaper[o] = inputs <= keep;
                    need[o] = Math.min(keep, inputs);
                } else {
                    need[o] = keep;
                }
            }
        }
        return cheaper;
    }

    /**
     * Each member the backward pass reads, with the values its recomputation recomputes and those
     * it keeps; members that share any of those make one group.
     */
    private List<Group> groups() {
        int[] parent = new int[slotCount];
        for (int i = 0; i < slotCount; i++) {
            parent[i] = i;
        }
        Map<Integer, Set<Integer>> nodesOf = new HashMap<>();
        Map<Integer, Set<Integer>> rootsOf = new HashMap<>();
        for (int m = 0; m < slotCount; m++) {
            if (member[m] && readLate[m]) {
                Set<Integer> nodes = new HashSet<>();
                Set<Integer> roots = new HashSet<>();
                expand(m, true, nodes, roots);
                nodesOf.put(m, nodes);
                rootsOf.put(m, roots);
                for (int x : nodes) {
                    union(parent, m, x);
                }
                for (int x : roots) {
                    union(parent, m, x);
                }
            }
        }
        Map<Integer, List<Integer>> membersByRoot = new HashMap<>();
        for (int m : nodesOf.keySet()) {
            membersByRoot.computeIfAbsent(find(parent, m), k -> new ArrayList<>()).add(m);
        }
        List<Group> groups = new ArrayList<>();
        for (List<Integer> members : membersByRoot.values()) {
            Set<Integer> nodes = new HashSet<>();
            Set<Integer> roots = new HashSet<>();
            for (int m : members) {
                nodes.addAll(nodesOf.get(m));
                roots.addAll(rootsOf.get(m));
            }
            groups.add(new Group(members, nodes, roots));
        }
        return groups;
    }

    /**
     * The bytes recomputing group {@code g} frees less the bytes it keeps alive longer: the
     * owners of its roots that the backward pass would not keep anyway.
     */
    private long netSaving(Group g) {
        Set<Integer> rootOwners = new HashSet<>();
        for (int r : g.roots()) {
            if (!g.nodes().contains(r)) {
                rootOwners.add(owner[r]);
            }
        }
        long cost = rootOwners.stream().filter(o -> !ownerHeldLate[o]).mapToLong(o -> ownBytes[o]).sum();
        // an owner is freed when every late reader of it (or of a view of it) reads a recomputed copy
        Set<Integer> freed = new HashSet<>();
        for (int m : g.members()) {
            if (owner[m] >= 0 && !rootOwners.contains(owner[m])) {
                freed.add(owner[m]);
            }
        }
        for (int i = 0; i < slotCount; i++) {
            if (readLate[i] && owner[i] >= 0 && !g.nodes().contains(i)) {
                freed.remove(owner[i]);
            }
        }
        long saving = freed.stream().mapToLong(o -> ownBytes[o]).sum();
        return saving - cost;
    }

    /**
     * Collects what recomputing {@code slot} takes: the members recomputed on the way
     * ({@code nodes}, the slot itself included) and the values read as they are ({@code roots}).
     */
    private void expand(int slot, boolean top, Set<Integer> nodes, Set<Integer> roots) {
        if (owner[slot] < 0 || (!member[slot] && ownerHeldLate[owner[slot]])) {
            return;
        }
        if (!member[slot] || (!top && !recomputable[slot])) {
            roots.add(slot);
            return;
        }
        if (nodes.add(slot)) {
            for (int i : dataInputs(steps[producer[slot]])) {
                expand(i, false, nodes, roots);
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
