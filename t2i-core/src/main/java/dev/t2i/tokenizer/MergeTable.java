package dev.t2i.tokenizer;

import java.util.Arrays;

/**
 * Looks up the merge rule for a pair of adjacent token ids: its rank and the id it produces.
 * An open-addressing table over primitive arrays, because BPE asks it for every adjacent pair of
 * every new word and boxed map keys would dominate that cost.
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] results;
    private final int mask;

    /**
     * @param lefts   left token id of each merge, indexed by rank
     * @param rights  right token id of each merge, indexed by rank
     * @param merged  id of the token each merge produces, indexed by rank
     */
    MergeTable(int[] lefts, int[] rights, int[] merged) {
        int capacity = Integer.highestOneBit(Math.max(4, lefts.length * 2 - 1)) << 1;
        keys = new long[capacity];
        ranks = new int[capacity];
        results = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(keys, EMPTY);
        for (int rank = 0; rank < lefts.length; rank++) {
            long key = key(lefts[rank], rights[rank]);
            int slot = slot(key);
            while (keys[slot] != EMPTY && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            // A repeated pair takes its last rank: both reference tokenizers build a map from the
            // list in order, so later entries overwrite earlier ones.
            keys[slot] = key;
            ranks[slot] = rank;
            results[slot] = merged[rank];
        }
    }

    /** The slot holding the pair, or -1 when no merge rule joins {@code left} and {@code right}. */
    int find(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return slot;
            }
            if (k == EMPTY) {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
    }

    /** Rank of the merge in {@code slot} (a value from {@link #find}). */
    int rank(int slot) {
        return ranks[slot];
    }

    /** Id of the token the merge in {@code slot} produces. */
    int result(int slot) {
        return results[slot];
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
