package dev.t2i.tokenizer;

import java.util.List;

/**
 * The raw material of a byte-level BPE tokenizer, as read from files: tokens indexed by id and
 * merges in rank order (rank 0 first). Nothing is validated here; {@link BytePairEncoder} does
 * that so that every source gets the same checks.
 *
 * @param tokens the token of each id, written in {@link ByteLevelAlphabet} characters
 * @param merges the merge rules, lowest rank (applied first) first
 * @param source what the vocabulary was read from, for error messages
 */
record BpeVocabulary(List<String> tokens, List<Merge> merges, String source) {

    /** One merge rule: the adjacent symbols {@code left} and {@code right} become their concatenation. */
    record Merge(String left, String right) {
    }
}
