package dev.t2i.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.T2iException;
import dev.t2i.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipTokenizerTest {
    private static final Path CLIP = Path.of("../shared/clip");
    private static final Path HF_FOLDER = CLIP.resolve("tiny-random-clip/model");
    private static final Path OPENAI_GZ = CLIP.resolve("bpe_simple_vocab_16e6.txt.gz");
    private static final Path PROMPTS = CLIP.resolve("tiny-random-clip/prompts.json");
    private static final Path GOLDEN = CLIP.resolve("tiny-random-clip/golden.safetensors");

    private static List<String> prompts;
    private static long[][] goldenIds;
    private static long[][] goldenMask;
    private static ClipTokenizer fromHf;
    private static ClipTokenizer fromOpenAi;

    @BeforeAll
    static void load() throws IOException {
        prompts = new ObjectMapper().readValue(PROMPTS.toFile(), new TypeReference<List<String>>() {
        });
        try (Safetensors golden = Safetensors.open(GOLDEN)) {
            goldenIds = golden.getLong("input_ids").toLongMatrix();
            goldenMask = golden.getLong("attention_mask").toLongMatrix();
        }
        fromHf = ClipTokenizer.fromHuggingFace(HF_FOLDER);
        fromOpenAi = ClipTokenizer.fromOpenAiVocab(OPENAI_GZ);
    }

    @Test
    void huggingFaceVocabularyReproducesGoldenIdsAndMasks() {
        assertMatchesGolden(fromHf);
    }

    @Test
    void openAiVocabularyReproducesGoldenIdsAndMasks() {
        assertMatchesGolden(fromOpenAi);
    }

    private static void assertMatchesGolden(ClipTokenizer tokenizer) {
        assertEquals(16, prompts.size());
        List<Tokenization> all = tokenizer.tokenize(prompts);
        for (int i = 0; i < prompts.size(); i++) {
            Tokenization t = all.get(i);
            assertArrayEquals(goldenIds[i], t.ids(), "input_ids of prompt " + i + ": " + prompts.get(i));
            assertArrayEquals(goldenMask[i], t.attentionMask(),
                    "attention_mask of prompt " + i + ": " + prompts.get(i));
            assertEquals(t.tokens().size() - 1, t.eosIndex());
            assertEquals(ClipTokenizer.END_OF_TEXT, t.tokens().get(t.eosIndex()));
            assertEquals(Arrays.stream(t.attentionMask()).sum(), t.tokens().size());
        }
    }

    @Test
    void bothSourcesBuildTheSameVocabularyAndMerges() {
        assertEquals(49408, fromHf.vocabularySize());
        assertEquals(49408, fromOpenAi.vocabularySize());
        // The byte form lists every token and merge, so equal bytes mean equal tokenizers.
        assertArrayEquals(fromHf.toBytes(), fromOpenAi.toBytes());
    }

    @Test
    void tokensNameTheUnpaddedPositions() {
        Tokenization t = fromHf.tokenize("a photo of a cat");
        assertEquals(List.of("<|startoftext|>", "a</w>", "photo</w>", "of</w>", "a</w>", "cat</w>", "<|endoftext|>"),
                t.tokens());
        assertEquals(6, t.eosIndex());
        assertEquals(ClipTokenizer.CONTEXT_LENGTH, t.ids().length);
        assertEquals(ClipTokenizer.CONTEXT_LENGTH, t.attentionMask().length);
        assertEquals("photo</w>", fromHf.token((int) t.ids()[2]));
    }

    /** Expected ids from transformers 5.18.0 / tokenizers 0.23.2, CLIPTokenizer on the same vocabulary. */
    @Test
    void edgeCasesMatchHuggingFace() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        // The end token is matched before normalisation, so another letter case is plain text...
        expected.put("<|ENDOFTEXT|>", new long[]{49406, 27, 347, 40786, 4160, 91, 285, 49407});
        // ...but the start token is matched after it, so any letter case is the special token.
        expected.put("<|STARTOFTEXT|>", new long[]{49406, 49406, 49407});
        expected.put("a<|endoftext|>b", new long[]{49406, 320, 49407, 321, 49407});
        // Lower case per code point: capital sigma always becomes σ, never word-final ς.
        expected.put("ΟΔΟΣ Σ σς", new long[]{49406, 138, 123, 138, 112, 138, 123, 139, 481, 139, 481, 139, 225,
                139, 480, 49407});
        // U+0130 lower-cases to i + U+0307; the combining dot is a symbol, so a word of its own.
        expected.put("İstanbul", new long[]{49406, 328, 16384, 11231, 49407});
        // No-break and ideographic spaces are whitespace; the zero-width space is not.
        expected.put("a\u00a0b\u3000c\u200bd", new long[]{49406, 320, 321, 322, 9844, 323, 49407});
        expected.put("''s don''t", new long[]{49406, 8445, 338, 847, 8445, 339, 49407});
        // No HTML unescaping.
        expected.put("&lt;b&gt;", new long[]{49406, 261, 3333, 282, 321, 261, 4725, 282, 49407});
        // Characters newer than Java 17's Unicode 13: a letter (U+1394D) and a case pair (U+10570).
        expected.put("\uD80E\uDD4D\uFF77", new long[]{49406, 172, 241, 98, 235, 171, 121, 371, 49407});
        expected.put("\uD801\uDD70x", new long[]{49406, 172, 238, 244, 245, 343, 49407});
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] ids = fromHf.tokenize(e.getKey()).ids();
            long[] unpadded = Arrays.copyOf(ids, e.getValue().length);
            assertArrayEquals(e.getValue(), unpadded, e.getKey());
        }
    }

    @Test
    void truncationKeepsTheEndTokenLastAndIsReported() {
        Tokenization fits = fromHf.tokenize("a" + " a".repeat(74));
        assertFalse(fits.truncated());
        assertEquals(76, fits.eosIndex());

        Tokenization cut = fromHf.tokenize("a" + " a".repeat(75));
        assertTrue(cut.truncated());
        assertEquals(76, cut.eosIndex());
        assertEquals(49407, cut.ids()[76]);
        assertTrue(Arrays.stream(cut.attentionMask()).allMatch(m -> m == 1));

        assertTrue(fromHf.tokenize(prompts.get(13)).truncated());
        assertFalse(fromHf.tokenize(prompts.get(0)).truncated());
        // A huge prompt is cut without encoding all of it.
        assertTrue(fromHf.tokenize("word ".repeat(200_000)).truncated());
    }

    @Test
    void parallelTokenizationGivesTheSameResults() throws Exception {
        // Enough distinct words to overflow the word cache several times while threads share it.
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            texts.add(prompts.get(i % prompts.size()) + " " + letters(i) + " " + letters(i * 7919 + 13));
        }
        List<Tokenization> sequential = ClipTokenizer.fromHuggingFace(HF_FOLDER).tokenize(texts);
        ClipTokenizer shared = ClipTokenizer.fromHuggingFace(HF_FOLDER);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Tokenization>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (String text : texts) {
                    futures.add(pool.submit(() -> shared.tokenize(text)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                Tokenization expected = sequential.get(i % texts.size());
                Tokenization actual = futures.get(i).get();
                assertArrayEquals(expected.ids(), actual.ids(), texts.get(i % texts.size()));
                assertArrayEquals(expected.attentionMask(), actual.attentionMask());
                assertEquals(expected.tokens(), actual.tokens());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String letters(int n) {
        StringBuilder s = new StringBuilder();
        int v = Math.abs(n);
        do {
            s.append((char) ('a' + v % 26));
            v /= 26;
        } while (v > 0);
        return s.toString();
    }

    @Test
    void bytesRoundTripGivesTheSameTokenizer() {
        byte[] bytes = fromOpenAi.toBytes();
        System.out.printf("serialized CLIP tokenizer: %,d bytes%n", bytes.length);
        ClipTokenizer restored = ClipTokenizer.fromBytes(bytes);
        assertEquals(fromOpenAi.vocabularySize(), restored.vocabularySize());
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(goldenIds[i], restored.tokenize(prompts.get(i)).ids(), prompts.get(i));
        }
        assertArrayEquals(bytes, restored.toBytes());
    }

    @Test
    void damagedBytesAreRejectedClearly() {
        T2iException e = assertThrows(T2iException.class,
                () -> ClipTokenizer.fromBytes("not a tokenizer".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("re-export"), e.getMessage());
        byte[] bytes = fromHf.toBytes();
        assertThrows(T2iException.class, () -> ClipTokenizer.fromBytes(Arrays.copyOf(bytes, bytes.length / 2)));
    }

    @Test
    void missingFilesGiveOneLineMessagesNamingTheFile(@TempDir Path dir) {
        T2iException hf = assertThrows(T2iException.class, () -> ClipTokenizer.fromHuggingFace(dir));
        assertTrue(hf.getMessage().contains(dir.resolve("vocab.json").toString()), hf.getMessage());
        assertFalse(hf.getMessage().contains("\n"));

        Path gz = dir.resolve("bpe_simple_vocab_16e6.txt.gz");
        T2iException openAi = assertThrows(T2iException.class, () -> ClipTokenizer.fromOpenAiVocab(gz));
        assertTrue(openAi.getMessage().contains(gz.toString()), openAi.getMessage());

        T2iException any = assertThrows(T2iException.class, () -> ClipTokenizer.load(dir.resolve("nowhere")));
        assertTrue(any.getMessage().contains("nowhere"), any.getMessage());
    }

    @Test
    void malformedFilesAreRejectedClearly(@TempDir Path dir) throws IOException {
        Files.copy(HF_FOLDER.resolve("merges.txt"), dir.resolve("merges.txt"));
        Files.writeString(dir.resolve("vocab.json"), "[1, 2, 3]");
        T2iException notObject = assertThrows(T2iException.class, () -> ClipTokenizer.fromHuggingFace(dir));
        assertTrue(notObject.getMessage().contains("vocab.json"), notObject.getMessage());

        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1}");
        T2iException incomplete = assertThrows(T2iException.class, () -> ClipTokenizer.fromHuggingFace(dir));
        assertTrue(incomplete.getMessage().contains("not in the vocabulary"), incomplete.getMessage());

        Path notGzip = dir.resolve("vocab.txt.gz");
        Files.writeString(notGzip, "plain text");
        T2iException gz = assertThrows(T2iException.class, () -> ClipTokenizer.fromOpenAiVocab(notGzip));
        assertTrue(gz.getMessage().contains(notGzip.toString()), gz.getMessage());
    }

    @Test
    void loadDetectsTheLayout() {
        assertArrayEquals(goldenIds[6], ClipTokenizer.load(HF_FOLDER).tokenize(prompts.get(6)).ids());
        ClipTokenizer viaVocabFile = ClipTokenizer.load(HF_FOLDER.resolve("vocab.json"));
        assertArrayEquals(goldenIds[6], viaVocabFile.tokenize(prompts.get(6)).ids());
        assertArrayEquals(goldenIds[6], ClipTokenizer.load(OPENAI_GZ).tokenize(prompts.get(6)).ids());
    }

    /** Prints single-thread throughput on the 16 golden prompts; no assertion, timings vary by machine. */
    @Test
    void measureThroughput() {
        ClipTokenizer tokenizer = ClipTokenizer.fromHuggingFace(HF_FOLDER);
        int repeats = 20_000;
        long checksum = 0;
        for (int warm = 0; warm < 2_000; warm++) {
            for (String p : prompts) {
                checksum += tokenizer.tokenize(p).eosIndex();
            }
        }
        long start = System.nanoTime();
        for (int r = 0; r < repeats; r++) {
            for (String p : prompts) {
                checksum += tokenizer.tokenize(p).eosIndex();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("ClipTokenizer throughput: %,.0f prompts/s single thread"
                        + " (%d prompts in %.2f s, checksum %d)%n",
                repeats * prompts.size() / seconds, repeats * prompts.size(), seconds, checksum);
    }
}
