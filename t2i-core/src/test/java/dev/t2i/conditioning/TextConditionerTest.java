package dev.t2i.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.TestData;
import dev.t2i.clip.ClipOutput;
import dev.t2i.clip.ClipTextEncoder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TextConditionerTest {
    static final Path CLIP_FOLDER = TestData.fixture("clip/model");
    static final ClipTextEncoder CLIP = ClipTextEncoder.fromHuggingFace(CLIP_FOLDER);

    @Test
    void captionsEncodeLikeClipAndDroppedRowsTakeTheNullText() {
        TextConditioner c = new TextConditioner(CLIP);
        Conditioning got = c.encode(List.of("a photo of a cat", "a red car driving fast"), null,
                new boolean[] {false, true});
        ClipOutput direct = CLIP.encode(List.of("a photo of a cat", ""));
        assertArrayEquals(new long[] {2, 77, 32}, got.context().shape());
        assertEquals(0.0, got.context().sub(direct.lastHiddenState()).amaxNumber().doubleValue(), 1e-6);
        assertEquals(direct.attentionMask().castTo(got.mask().dataType()), got.mask());
        assertEquals(c.nullCondition(1).context().slice(0), got.context().slice(1));
    }

    @Test
    void croppingToContextLenKeepsTheLeadingPositions() {
        Conditioning full = new TextConditioner(CLIP).encode(List.of("a photo of a cat"), null, null);
        Conditioning cropped = new TextConditioner(CLIP, 12).encode(List.of("a photo of a cat"), null, null);
        assertArrayEquals(new long[] {1, 12, 32}, cropped.context().shape());
        INDArray lead = full.context().get(NDArrayIndex.all(), NDArrayIndex.interval(0, 12), NDArrayIndex.all());
        // the cropped caption runs through a tower cut to 12 positions: same values up to float rounding
        assertEquals(0.0, cropped.context().sub(lead).amaxNumber().doubleValue(), 1e-5);
    }

    @Test
    void trainingCropsTheWholeTowersOutputBitForBit() {
        Conditioning full = new TextConditioner(CLIP).encode(List.of("a photo of a cat"), null, null);
        Conditioning training = TextConditioner.forTraining(CLIP, 12).encode(List.of("a photo of a cat"), null, null);
        assertArrayEquals(new long[] {1, 12, 32}, training.context().shape());
        INDArray lead = full.context().get(NDArrayIndex.all(), NDArrayIndex.interval(0, 12), NDArrayIndex.all());
        assertEquals(lead, training.context());
        assertEquals(full.mask().get(NDArrayIndex.all(), NDArrayIndex.interval(0, 12)), training.mask());
    }

    @Test
    void negativePromptReplacesTheNullText() {
        TextConditioner neg = new TextConditioner(CLIP).withNullText("blurry");
        ClipOutput direct = CLIP.encode(List.of("blurry"));
        assertEquals(0.0, neg.nullCondition(1).context().sub(direct.lastHiddenState()).amaxNumber().doubleValue(),
                1e-6);
    }

    @Test
    void encodingUpFrontFreesClipAndAnUnseenCaptionLoadsItAgain() {
        TextConditioner c = new TextConditioner(ClipTextEncoder.fromHuggingFace(CLIP_FOLDER));
        int[] loads = {0};
        c.encodeAllAndRelease(List.of("a photo of a cat", "a photo of a dog"), () -> {
            loads[0]++;
            return ClipTextEncoder.fromHuggingFace(CLIP_FOLDER);
        });
        assertFalse(c.encoderLoaded());
        Conditioning cached = c.encode(List.of("a photo of a dog", "a photo of a cat"), null,
                new boolean[] {false, true});
        ClipOutput direct = CLIP.encode(List.of("a photo of a dog", ""));
        assertEquals(0.0, cached.context().sub(direct.lastHiddenState()).amaxNumber().doubleValue(), 1e-5);
        assertEquals(0, loads[0], "cached captions and the null text need no encoder");

        Conditioning unseen = c.encode(List.of("a red car"), null, null);
        assertEquals(1, loads[0]);
        assertTrue(c.encoderLoaded());
        assertEquals(0.0, unseen.context().sub(CLIP.encode(List.of("a red car")).lastHiddenState())
                .amaxNumber().doubleValue(), 1e-5);
    }
}
