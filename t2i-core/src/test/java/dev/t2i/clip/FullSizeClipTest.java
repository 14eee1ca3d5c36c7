package dev.t2i.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A ViT-B/32 text tower of the real shapes (random weights) builds and encodes a batch. */
class FullSizeClipTest {
    @Test
    void vitB32TextTowerEncodesABatch() {
        long t0 = System.nanoTime();
        ClipTextEncoder enc = ClipTextEncoder.random(ClipTextConfig.vitB32(), 0);
        double buildS = (System.nanoTime() - t0) / 1e9;
        // HF CLIPTextModel has 63,165,952; the text projection (512×512, no bias) adds 262,144
        assertEquals(63_428_096L, enc.parameterCount());
        t0 = System.nanoTime();
        ClipOutput out = enc.encode(List.of("a photo of a cat", "a red circle", "", "a blue triangle"));
        double encodeS = (System.nanoTime() - t0) / 1e9;
        System.out.printf("ViT-B/32 text tower: %,d parameters, built in %.1f s, 4 prompts encoded in %.2f s%n",
                enc.parameterCount(), buildS, encodeS);
        assertArrayEquals(new long[] {4, 77, 512}, out.lastHiddenState().shape());
        assertArrayEquals(new long[] {4, 512}, out.pooled().shape());
        assertArrayEquals(new long[] {4, 512}, out.textEmbeds().shape());
        assertTrue(Double.isFinite(out.lastHiddenState().sumNumber().doubleValue()));
        // different prompts give different pooled embeddings
        assertTrue(out.pooled().getRow(0).sub(out.pooled().getRow(1)).norm2Number().doubleValue() > 1e-3);
    }
}
