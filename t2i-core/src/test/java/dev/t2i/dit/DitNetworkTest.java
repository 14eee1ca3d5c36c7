package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.TestData;
import dev.t2i.io.Safetensors;
import dev.t2i.io.TensorFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DitNetworkTest {
    static final DitConfig TINY = DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(1).numHeads(2)
            .mlpRatio(2.0).contextDim(16).contextLen(4).numClasses(2).build();

    @Test
    void preparedTextGivesTheSameVelocityAndFollowsWeightUpdates(@TempDir Path dir) {
        for (boolean pool : new boolean[] {false, true}) {
            DitConfig cfg = DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(2).numHeads(2)
                    .mlpRatio(2.0).contextDim(16).contextLen(4).numClasses(2).adaln(DitConfig.AdaLn.ZERO)
                    .textPool(pool).build();
            DitNetwork m = DitGraph.build(cfg, 4);
            Nd4j.getRandom().setSeed(2);
            // adaLN-Zero starts with every branch off: give all weights values so every path counts
            m.weights().values().forEach(w -> w.assign(Nd4j.randn(w.dataType(), w.shape()).muli(0.2)));
            INDArray x = Nd4j.randn(new long[] {3, 3, 8, 8});
            INDArray t = Nd4j.createFromArray(0.2f, 0.9f, 0.5f);
            INDArray ctx = Nd4j.randn(new long[] {3, 4, 16});
            ctx.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2)).assign(ctx.get(
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0)));
            INDArray mask = Nd4j.ones(3, 4);
            mask.putScalar(1, 3, 0.0);
            DitNetwork.PreparedText text = m.prepareText(ctx, mask, null);
            assertTrue(text.features() != null, "a new text graph caches its keys and values");
            double err = m.velocity(x, t, text).sub(m.velocity(x, t, ctx, mask, null)).amaxNumber().doubleValue();
            assertEquals(0.0, err, 1e-5, "text_pool " + pool);

            // the cached graph shares the weights: an update shows in both (keys and values are re-prepared)
            m.graph().getArrForVarName("final_proj.weight").addi(0.5);
            m.graph().getArrForVarName("blocks.1.cross_attn.q_proj.weight").muli(-1);
            text = m.prepareText(ctx, mask, null);
            err = m.velocity(x, t, text).sub(m.velocity(x, t, ctx, mask, null)).amaxNumber().doubleValue();
            assertEquals(0.0, err, 1e-5, "after an update, text_pool " + pool);

            Path file = dir.resolve("m" + pool + ".t2i");
            DitFiles.save(m, file);
            DitNetwork loaded = DitFiles.load(file);
            assertEquals(cfg, loaded.config());
            err = loaded.velocity(x, t, loaded.prepareText(ctx, mask, null)).sub(m.velocity(x, t, ctx, mask, null))
                    .amaxNumber().doubleValue();
            assertEquals(0.0, err, 1e-5, "loaded, text_pool " + pool);
        }
    }

    @Test
    void cuttingTheCommonPaddingChangesNothing() {
        DitConfig cfg = DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(2).numHeads(2).mlpRatio(2.0)
                .contextDim(16).contextLen(6).numClasses(2).adaln(DitConfig.AdaLn.ZERO).build();
        assertTrue(DitGraph.cutsTextPadding(cfg));
        DitNetwork m = DitGraph.build(cfg, 5);
        Nd4j.getRandom().setSeed(3);
        m.weights().values().forEach(w -> w.assign(Nd4j.randn(w.dataType(), w.shape()).muli(0.2)));
        INDArray x = Nd4j.randn(new long[] {2, 3, 8, 8});
        INDArray t = Nd4j.createFromArray(0.3f, 0.7f);
        INDArray ctx = Nd4j.randn(new long[] {2, 6, 16});
        INDArray mask = Nd4j.createFromArray(new float[][] {{1, 1, 1, 0, 0, 0}, {1, 1, 0, 0, 0, 0}});
        // all six positions, as the reference computes them (padding weighted zero), against the cut inputs
        Map<String, INDArray> all = new java.util.HashMap<>(m.inputs(x, t, ctx, mask, null));
        all.putAll(TextContext.inputs(ctx, mask, false));
        INDArray full = m.outputs(all, DitGraph.VELOCITY).get(DitGraph.VELOCITY);
        INDArray cut = m.velocity(x, t, ctx, mask, null);
        assertEquals(3L, TextContext.inputs(ctx, mask, true).get(DitGraph.CONTEXT_MASK).size(1));
        assertEquals(0.0, full.sub(cut).amaxNumber().doubleValue(), 1e-6);
        assertEquals(0.0, m.velocity(x, t, m.prepareText(ctx, mask, null)).sub(full).amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void saveAndLoadGiveIdenticalOutputs(@TempDir Path dir) {
        DitNetwork m = DitGraph.build(TINY, 4);
        Nd4j.getRandom().setSeed(1);
        m.graph().getArrForVarName("final_proj.weight").assign(Nd4j.randn(32, 12).muli(0.1));
        INDArray x = Nd4j.randn(new long[] {2, 3, 8, 8});
        INDArray t = Nd4j.createFromArray(0.2f, 0.9f);
        INDArray ctx = Nd4j.randn(new long[] {2, 4, 16});
        INDArray mask = Nd4j.ones(2, 4);
        INDArray before = m.velocity(x, t, ctx, mask, null);
        Path file = dir.resolve("m.t2i");
        DitFiles.save(m, file);
        DitNetwork loaded = DitFiles.load(file);
        assertEquals(TINY, loaded.config());
        assertEquals(m.parameterCount(), loaded.parameterCount());
        assertEquals(0.0, loaded.velocity(x, t, ctx, mask, null).sub(before).amaxNumber().doubleValue(), 0.0);
        assertTrue(before.amaxNumber().doubleValue() > 0);
    }

    @Test
    void badConfigsAreRejectedWithTheFieldNamed() {
        T2iException heads = assertThrows(T2iException.class,
                () -> DitConfig.builder().embedDim(100).depth(2).contextDim(16).build());
        assertTrue(heads.getMessage().contains("num_heads 8 does not divide embed_dim 100"), heads.getMessage());
        T2iException patch = assertThrows(T2iException.class,
                () -> DitConfig.builder().imgSize(30).embedDim(64).depth(2).numHeads(4).contextDim(16).build());
        assertTrue(patch.getMessage().contains("img_size 30 is not divisible by patch_size 4"), patch.getMessage());
        T2iException variant = assertThrows(T2iException.class,
                () -> DitConfig.Variant.of("txt"));
        assertTrue(variant.getMessage().contains("variant"), variant.getMessage());
    }

    @Test
    void checkpointWithAWrongShapeNamesTheKey(@TempDir Path dir) throws Exception {
        Path src = TestData.fixture("dit");
        Map<String, INDArray> weights = new LinkedHashMap<>(Safetensors.readAll(src.resolve("model.safetensors")));
        weights.put("text_proj.bias", Nd4j.zeros(47));
        Safetensors.write(dir.resolve("model.safetensors"), weights, null);
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> ReferenceCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("text_proj.bias") && e.getMessage().contains("[47]"), e.getMessage());

        weights.remove("text_proj.bias");
        Safetensors.write(dir.resolve("model.safetensors"), weights, null);
        e = assertThrows(TensorFormatException.class, () -> ReferenceCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("lacks parameter 'text_proj.bias'"), e.getMessage());
    }

    @Test
    void wrongInputShapeIsAClearError() {
        DitNetwork m = DitGraph.build(TINY, 0);
        T2iException e = assertThrows(T2iException.class, () -> m.velocity(Nd4j.zeros(2, 3, 16, 16),
                Nd4j.zeros(2), Nd4j.zeros(2, 4, 16), Nd4j.ones(2, 4), null));
        assertTrue(e.getMessage().contains("input 'x' has shape [2, 3, 16, 16], expected [2, 3, 8, 8]"), e.getMessage());
    }
}
