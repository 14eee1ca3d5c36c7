package dev.t2i.tokenizer;

import dev.t2i.T2iException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE with CLIP's end-of-word marker: turns one pre-tokenized word into token ids.
 * The word's UTF-8 bytes start as one symbol each (the last one carrying {@code </w>}), then the
 * adjacent pair with the lowest merge rank is merged, leftmost first on ties, until no pair has a
 * rule. That order is what the Hugging Face tokenizers library does.
 *
 * <p>Immutable apart from a bounded cache of recent words; safe to share between threads.
 */
final class BytePairEncoder {
    static final String END_OF_WORD = "</w>";

    /** Cache entries before the cache is emptied; the Hugging Face BPE uses the same bound. */
    private static final int CACHE_CAPACITY = 10_000;
    /** Longer words are not cached, so that the cache's memory stays bounded too. */
    private static final int CACHE_MAX_WORD_LENGTH = 256;

    private final String[] tokens;
    private final Map<String, Integer> idOfToken;
    private final int[] byteIds = new int[256];
    private final int[] finalByteIds = new int[256];
    private final MergeTable merges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * Checks the vocabulary and builds the lookup tables.
     *
     * @throws T2iException if a byte symbol, a merge part or a merge result is missing from the
     *                      vocabulary, or a token appears twice
     */
    BytePairEncoder(BpeVocabulary vocabulary) {
        String source = vocabulary.source();
        List<String> tokenList = vocabulary.tokens();
        tokens = tokenList.toArray(new String[0]);
        idOfToken = new HashMap<>(tokens.length * 2);
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] == null || idOfToken.putIfAbsent(tokens[id], id) != null) {
                throw new T2iException(source + ": token id " + id + " is missing or repeats another token; "
                        + "use the unmodified vocabulary of a CLIP tokenizer");
            }
        }
        for (int b = 0; b < 256; b++) {
            String symbol = String.valueOf(ByteLevelAlphabet.charOf(b));
            byteIds[b] = requireId(symbol, source);
            finalByteIds[b] = requireId(symbol + END_OF_WORD, source);
        }
        List<BpeVocabulary.Merge> rules = vocabulary.merges();
        int[] lefts = new int[rules.size()];
        int[] rights = new int[rules.size()];
        int[] merged = new int[rules.size()];
        for (int rank = 0; rank < rules.size(); rank++) {
            BpeVocabulary.Merge rule = rules.get(rank);
            lefts[rank] = requireId(rule.left(), source);
            rights[rank] = requireId(rule.right(), source);
            merged[rank] = requireId(rule.left() + rule.right(), source);
        }
        merges = new MergeTable(lefts, rights, merged);
    }

    private int requireId(String token, String source) {
        Integer id = idOfToken.get(token);
        if (id == null) {
            throw new T2iException(source + ": token '" + token + "' (needed by the byte alphabet or a merge)"
                    + " is not in the vocabulary; use a vocab.json and merges.txt from the same CLIP tokenizer");
        }
        return id;
    }

    /** Number of tokens in the vocabulary. */
    int vocabularySize() {
        return tokens.length;
    }

    /** The token with this id. */
    String token(int id) {
        return tokens[id];
    }

    /** The id of this token, or -1 if the vocabulary lacks it. */
    int idOf(String token) {
        Integer id = idOfToken.get(token);
        return id == null ? -1 : id;
    }

    /**
     * Token ids of one word. The returned array may be shared with other callers: never modify it.
     *
     * @param word a non-empty piece from the pre-tokenizer, in ordinary characters (not yet bytes)
     */
    int[] encode(String word) {
        int[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        int[] ids = merge(word.getBytes(StandardCharsets.UTF_8));
        if (word.length() <= CACHE_MAX_WORD_LENGTH) {
            // Emptying rather than evicting one by one keeps this lock-free and still bounded.
            if (cache.size() >= CACHE_CAPACITY) {
                cache.clear();
            }
            cache.put(word, ids);
        }
        return ids;
    }

    private int[] merge(byte[] bytes) {
        int n = bytes.length;
        if (n == 0) {
            return new int[0];
        }
        int[] symbol = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            symbol[i] = i == n - 1 ? finalByteIds[b] : byteIds[b];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Candidates are (rank, position of the left symbol); a symbol keeps its position when it
        // absorbs its right neighbour, so stale candidates are recognised by re-checking the pair.
        LongMinHeap candidates = new LongMinHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            offer(candidates, symbol[i], symbol[i + 1], i);
        }
        int remaining = n;
        while (!candidates.isEmpty()) {
            long candidate = candidates.poll();
            int rank = (int) (candidate >>> 32);
            int left = (int) candidate;
            int right = symbol[left] >= 0 ? next[left] : -1;
            if (right < 0) {
                continue;
            }
            int slot = merges.find(symbol[left], symbol[right]);
            if (slot < 0 || merges.rank(slot) != rank) {
                continue;
            }
            symbol[left] = merges.result(slot);
            symbol[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            remaining--;
            if (prev[left] >= 0) {
                offer(candidates, symbol[prev[left]], symbol[left], prev[left]);
            }
            if (next[left] >= 0) {
                offer(candidates, symbol[left], symbol[next[left]], left);
            }
        }
        int[] ids = new int[remaining];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            ids[k++] = symbol[i];
        }
        return ids;
    }

    private void offer(LongMinHeap candidates, int leftId, int rightId, int position) {
        int slot = merges.find(leftId, rightId);
        if (slot >= 0) {
            candidates.add(((long) merges.rank(slot) << 32) | position);
        }
    }

    /** A binary min-heap of longs; avoids boxing on the hot path of new words. */
    private static final class LongMinHeap {
        private long[] heap;
        private int size;

        LongMinHeap(int capacity) {
            heap = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long value) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] <= value) {
                    break;
                }
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = value;
        }

        long poll() {
            long top = heap[0];
            long last = heap[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= last) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return top;
        }
    }
}
