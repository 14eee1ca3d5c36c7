package dev.t2i.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.TestData;
import dev.t2i.io.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Parity with the official implementation (transformers' CLIPTextModelWithProjection): the
 * committed tiny model and its golden outputs (t2i-core/src/test/resources/fixtures/clip, made by
 * tools/make_test_fixtures.py), and ../shared/clip/tiny-random-clip where present.
 */
class ClipTextEncoderTest {
    static final Path TINY = TestData.fixture("clip");

    static void assertMatchesGolden(ClipTextEncoder enc) {
        assertMatchesGolden(enc, TINY, "fixtures/clip");
    }

    static void assertMatchesGolden(ClipTextEncoder enc, Path folder, String name) {
        Map<String, INDArray> golden = Safetensors.readAll(folder.resolve("golden.safetensors"));
        ClipOutput out = enc.encodeIds(golden.get("input_ids"), golden.get("attention_mask"));
        check(name, "last_hidden_state", golden.get("last_hidden_state"), out.lastHiddenState());
        check(name, "pooler_output", golden.get("pooler_output"), out.pooled());
        check(name, "text_embeds", golden.get("text_embeds"), out.textEmbeds());
    }

    private static void check(String model, String name, INDArray expected, INDArray actual) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), name);
        double err = actual.sub(expected).amaxNumber().doubleValue();
        System.out.println(model + " " + name + " max abs error: " + err);
        assertTrue(err <= 1e-4, name + " max abs error " + err);
    }

    @Test
    void huggingFaceFolderMatchesGolden() {
        assertMatchesGolden(ClipTextEncoder.fromHuggingFace(TINY.resolve("model")));
    }

    @Test
    void sharedTinyRandomClipMatchesItsGolden() {
        Path shared = TestData.shared("clip/tiny-random-clip");
        assertMatchesGolden(ClipTextEncoder.fromHuggingFace(shared.resolve("model")), shared, "shared tiny-random-clip");
    }

    @Test
    void convertedFileMatchesGolden(@TempDir Path tmp) {
        Path file = tmp.resolve("clip.t2i");
        ClipTextEncoder.fromHuggingFace(TINY.resolve("model")).save(file);
        assertMatchesGolden(ClipTextEncoder.fromArchive(dev.t2i.io.ModelArchive.read(file), file.toString()));
    }

    @Test
    void promptsShardedOverWorkersMatchGolden() {
        try {
            dev.t2i.runtime.Workers.configure(3);
            assertMatchesGolden(ClipTextEncoder.fromHuggingFace(TINY.resolve("model")));
        } finally {
            dev.t2i.runtime.Workers.configure(dev.t2i.runtime.Workers.defaultCount());
        }
    }

    @Test
    void firstPositionsAloneEncodeExactlyAsInTheWholeTower() {
        ClipTextEncoder enc = ClipTextEncoder.fromHuggingFace(TINY.resolve("model"));
        java.util.List<String> prompts = java.util.List.of("a red circle",
                "a photograph of a small blue triangle next to a very large green square on a white table", "");
        INDArray whole = enc.encode(prompts).lastHiddenState();
        for (int n : new int[] {1, 6, 24}) {
            ClipOutput cut = enc.encodePrefix(prompts, n);
            INDArray expected = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n), org.nd4j.linalg.indexing.NDArrayIndex.all());
            check("fixtures/clip", "first " + n + " positions", expected, cut.lastHiddenState());
            assertEquals(3, cut.attentionMask().size(0));
            assertEquals(n, cut.attentionMask().size(1));
            assertEquals(null, cut.pooled(), "no pooled row for a prefix");
        }
        // the cut tower is the whole one's weight arrays, not a copy
        String w = "text_model.encoder.layers.0.mlp.fc1.weight";
        assertTrue(enc.graphFor(6).getArrForVarName(w) == enc.graphFor(enc.config().maxPositions()).getArrForVarName(w));
        assertEquals(whole.shape()[1], enc.encodePrefix(prompts, enc.config().maxPositions()).lastHiddenState().size(1));
        T2iException e = assertThrows(T2iException.class, () -> enc.encodePrefix(prompts, 0));
        assertTrue(e.getMessage().contains("1 to 77"), e.getMessage());
    }

    @Test
    void missingFolderGivesClearError(@TempDir Path tmp) {
        T2iException e = assertThrows(T2iException.class, () -> ClipTextEncoder.fromHuggingFace(tmp));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void nonClipConfigRejected(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{\"model_type\": \"bert\"}");
        Files.write(tmp.resolve("model.safetensors"), new byte[16]);
        T2iException e = assertThrows(T2iException.class, () -> ClipTextEncoder.fromHuggingFace(tmp));
        assertTrue(e.getMessage().contains("not a CLIP config"), e.getMessage());
    }
}
