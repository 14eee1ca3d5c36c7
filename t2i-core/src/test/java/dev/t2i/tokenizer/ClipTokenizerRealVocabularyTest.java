package dev.t2i.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.t2i.TestData;
import dev.t2i.io.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer on CLIP's real 49,408-token vocabulary, in both published layouts: the Hugging
 * Face files of {@code ../shared/clip/tiny-random-clip/model} and OpenAI's
 * {@code ../shared/clip/bpe_simple_vocab_16e6.txt.gz}, against the official ids of
 * {@code ../shared/clip/tiny-random-clip/golden.safetensors}. Not committed (licence and size), so
 * every test here skips without {@code ../shared}; ClipTokenizerTest covers the same pipeline on
 * the committed vocabulary.
 */
class ClipTokenizerRealVocabularyTest {
    private static List<String> prompts;
    private static long[][] goldenIds;
    private static long[][] goldenMask;
    private static ClipTokenizer fromHf;
    private static ClipTokenizer fromOpenAi;
    private static Path openAiGz;

    /** Loads once; each test skips on its own (named in the report) when ../shared is absent. */
    @BeforeEach
    void load() throws IOException {
        Path hfFolder = TestData.shared("clip/tiny-random-clip/model");
        Path gz = TestData.shared("clip/bpe_simple_vocab_16e6.txt.gz");
        if (fromHf != null) {
            return;
        }
        Path tiny = TestData.shared("clip/tiny-random-clip");
        prompts = ClipTokenizerTest.readPrompts(tiny.resolve("prompts.json"));
        try (Safetensors golden = Safetensors.open(tiny.resolve("golden.safetensors"))) {
            goldenIds = golden.getLong("input_ids").toLongMatrix();
            goldenMask = golden.getLong("attention_mask").toLongMatrix();
        }
        fromOpenAi = ClipTokenizer.fromOpenAiVocab(gz);
        openAiGz = gz;
        fromHf = ClipTokenizer.fromHuggingFace(hfFolder);
    }

    @Test
    void huggingFaceVocabularyReproducesGoldenIdsAndMasks() {
        assertEquals(16, prompts.size());
        ClipTokenizerTest.assertMatchesGolden(fromHf, prompts, goldenIds, goldenMask);
    }

    @Test
    void openAiVocabularyReproducesGoldenIdsAndMasks() {
        ClipTokenizerTest.assertMatchesGolden(fromOpenAi, prompts, goldenIds, goldenMask);
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
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320, 2368, 49407}, Arrays.copyOf(t.ids(), 7));
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
    void bytesRoundTripGivesTheSameTokenizer() {
        ClipTokenizerTest.assertBytesRoundTrip(fromOpenAi, prompts, goldenIds);
    }

    @Test
    void loadDetectsTheOpenAiLayout() {
        assertArrayEquals(goldenIds[6], ClipTokenizer.load(openAiGz).tokenize(prompts.get(6)).ids());
    }
}
