package dev.t2i.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.T2iException;
import dev.t2i.TestData;
import dev.t2i.io.Safetensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer on the committed vocabulary (t2i-core/src/test/resources/fixtures/clip/model: a byte-level
 * BPE with CLIP's layout, trained by tools/make_test_fixtures.py) against the official
 * {@code CLIPTokenizer}'s ids and masks for prompts that exercise the hard cases: whitespace,
 * contractions, accents and NFC, emoji, CJK and other scripts, literal special tokens in any
 * letter case, Greek sigma, dotted capital I, no-break and zero-width spaces, HTML entities,
 * characters newer than Java's Unicode tables, digits, exactly 75 text tokens and one more,
 * over-long text. ClipTokenizerRealVocabularyTest does the same with the real vocabulary.
 */
class ClipTokenizerTest {
    private static final Path CLIP = TestData.fixture("clip");
    private static final Path HF_FOLDER = CLIP.resolve("model");

    private static List<String> prompts;
    private static long[][] goldenIds;
    private static long[][] goldenMask;
    private static ClipTokenizer fromHf;

    @BeforeAll
    static void load() throws IOException {
        prompts = readPrompts(CLIP.resolve("prompts.json"));
        try (Safetensors golden = Safetensors.open(CLIP.resolve("golden.safetensors"))) {
            goldenIds = golden.getLong("input_ids").toLongMatrix();
            goldenMask = golden.getLong("attention_mask").toLongMatrix();
        }
        fromHf = ClipTokenizer.fromHuggingFace(HF_FOLDER);
    }

    static List<String> readPrompts(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), new TypeReference<List<String>>() {
        });
    }

    @Test
    void huggingFaceVocabularyReproducesGoldenIdsAndMasks() throws IOException {
        int modelRows = new ObjectMapper().readTree(HF_FOLDER.resolve("config.json").toFile()).get("vocab_size").asInt();
        assertEquals(modelRows, fromHf.vocabularySize());
        assertMatchesGolden(fromHf, prompts, goldenIds, goldenMask);
    }

    static void assertMatchesGolden(ClipTokenizer tokenizer, List<String> prompts, long[][] ids, long[][] mask) {
        assertEquals(prompts.size(), ids.length, "golden rows");
        List<Tokenization> all = tokenizer.tokenize(prompts);
        for (int i = 0; i < prompts.size(); i++) {
            Tokenization t = all.get(i);
            assertArrayEquals(ids[i], t.ids(), "input_ids of prompt " + i + ": " + prompts.get(i));
            assertArrayEquals(mask[i], t.attentionMask(), "attention_mask of prompt " + i + ": " + prompts.get(i));
            assertEquals(t.tokens().size() - 1, t.eosIndex());
            assertEquals(ClipTokenizer.END_OF_TEXT, t.tokens().get(t.eosIndex()));
            assertEquals(Arrays.stream(t.attentionMask()).sum(), t.tokens().size());
        }
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

    @Test
    void truncationKeepsTheEndTokenLastAndIsReported() {
        Tokenization fits = fromHf.tokenize("a" + " a".repeat(74));
        assertFalse(fits.truncated());
        assertEquals(76, fits.eosIndex());

        Tokenization cut = fromHf.tokenize("a" + " a".repeat(75));
        assertTrue(cut.truncated());
        assertEquals(76, cut.eosIndex());
        assertEquals(fromHf.vocabularySize() - 1, cut.ids()[76]);
        assertTrue(Arrays.stream(cut.attentionMask()).allMatch(m -> m == 1));

        // the fixture's last prompt is the over-long one
        assertTrue(fromHf.tokenize(prompts.get(prompts.size() - 1)).truncated());
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
        assertBytesRoundTrip(fromHf, prompts, goldenIds);
    }

    static void assertBytesRoundTrip(ClipTokenizer tokenizer, List<String> prompts, long[][] ids) {
        byte[] bytes = tokenizer.toBytes();
        System.out.printf("serialized CLIP tokenizer (%,d tokens): %,d bytes%n", tokenizer.vocabularySize(),
                bytes.length);
        ClipTokenizer restored = ClipTokenizer.fromBytes(bytes);
        assertEquals(tokenizer.vocabularySize(), restored.vocabularySize());
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(ids[i], restored.tokenize(prompts.get(i)).ids(), prompts.get(i));
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
        assertArrayEquals(goldenIds[6], ClipTokenizer.load(HF_FOLDER.resolve("merges.txt")).tokenize(prompts.get(6)).ids());
    }
}
