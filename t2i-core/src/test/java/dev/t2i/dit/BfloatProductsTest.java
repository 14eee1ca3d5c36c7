package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.flow.FlowMatching;
import dev.t2i.io.ModelArchive;
import dev.t2i.platform.CpuFeatures;
import dev.t2i.runtime.Graphs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code products: bfloat16}: the same model to bf16's rounding, forward and backward, in bf16 where the CPU has it. */
class BfloatProductsTest {
    private static DitConfig.Builder tiny() {
        // widths that fold the MLP's bias into its product (hidden 64 ≥ 2·32), as trained models do
        return DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(2).numHeads(2).mlpRatio(2.0)
                .contextDim(16).contextLen(4).adaln(DitConfig.AdaLn.ZERO).textPool(true);
    }

    private static DitNetwork model(DitConfig cfg, Map<String, INDArray> weights) {
        DitNetwork m = DitGraph.build(cfg, 5);
        FlowMatching.attachLoss(m.graph(), DitGraph.VELOCITY, -1, 3, 8, 8);
        m.setWeights(weights);
        return m;
    }

    private static Map<String, INDArray> inputs() {
        Nd4j.getRandom().setSeed(3);
        Map<String, INDArray> in = new HashMap<>();
        in.put(DitGraph.X, Nd4j.randn(DataType.FLOAT, 4, 3, 8, 8));
        in.put(DitGraph.T, Nd4j.rand(DataType.FLOAT, 4));
        in.putAll(TextContext.inputs(Nd4j.randn(DataType.FLOAT, 4, 4, 16), Nd4j.ones(DataType.FLOAT, 4, 4), true));
        in.put(FlowMatching.TARGET, Nd4j.randn(DataType.FLOAT, 4, 3, 8, 8));
        return in;
    }

    @Test
    void theLossAndEveryGradientAgreeWithSinglePrecisionToBfloat16Rounding() {
        DitNetwork reference = DitGraph.build(tiny().build(), 5);
        Nd4j.getRandom().setSeed(9);
        // adaLN-Zero starts with every branch off: give all weights values so every product counts
        Map<String, INDArray> weights = new HashMap<>();
        reference.weights().forEach((k, w) -> weights.put(k, Nd4j.randn(w.dataType(), w.shape()).muli(0.2)));
        DitNetwork f32 = model(tiny().build(), weights);
        DitNetwork bf16 = model(tiny().products(DitConfig.Products.BFLOAT16).build(), weights);
        Map<String, INDArray> in = inputs();

        boolean native16 = CpuFeatures.multipliesBfloat16();
        assertEquals(native16 ? DataType.BFLOAT16 : DataType.FLOAT,
                DitGraph.productType(bf16.config(), DataType.FLOAT), "bf16 where the CPU has it, float32 elsewhere");
        try (Graphs.Gradients a = Graphs.gradients(f32.graph(), in, List.of(FlowMatching.LOSS), f32.trainableNames());
                Graphs.Gradients b = Graphs.gradients(bf16.graph(), in, List.of(FlowMatching.LOSS),
                        bf16.trainableNames())) {
            double lossA = a.outputs().get(FlowMatching.LOSS).getDouble(0);
            double lossB = b.outputs().get(FlowMatching.LOSS).getDouble(0);
            assertEquals(lossA, lossB, 2e-2 * lossA, "loss");
            // a key projection's bias has no gradient in exact arithmetic (it shifts every score of a
            // query alike): rounding noise, compared against the largest gradient rather than itself
            double largest = f32.trainableNames().stream()
                    .mapToDouble(p -> a.gradients().get(p).norm2Number().doubleValue()).max().orElseThrow();
            double largestDifference = 0;
            for (String p : f32.trainableNames()) {
                INDArray ga = a.gradients().get(p);
                INDArray gb = b.gradients().get(p);
                assertEquals(DataType.FLOAT, gb.dataType(), p + ": gradients leave the products in single precision");
                double scale = Math.max(ga.norm2Number().doubleValue(), 1e-2 * largest);
                double relative = ga.sub(gb).norm2Number().doubleValue() / scale;
                assertTrue(relative < 5e-2, p + ": relative difference " + relative);
                largestDifference = Math.max(largestDifference, relative);
            }
            if (native16) {
                assertTrue(largestDifference > 1e-5, "the products really ran in bf16: " + largestDifference);
            } else {
                assertEquals(0.0, largestDifference, "float32 products where the CPU has no bf16");
            }
        }
    }

    @Test
    void configFilesNameTheProductTypeAndABadOneIsRefused() throws Exception {
        DitConfig cfg = tiny().products(DitConfig.Products.BFLOAT16).build();
        String json = ModelArchive.JSON.writeValueAsString(cfg);
        assertEquals("bfloat16", ModelArchive.JSON.readTree(json).get("products").asText(), json);
        assertEquals(cfg, ModelArchive.JSON.readValue(json, DitConfig.class));
        assertEquals(DitConfig.Products.FLOAT32, ModelArchive.JSON.readValue("{}", DitConfig.class).products(),
                "float32, the reference, when a file says nothing");
        Exception bad = assertThrows(Exception.class,
                () -> ModelArchive.JSON.readValue("{\"products\": \"fp16\"}", DitConfig.class));
        Throwable cause = bad;
        while (!(cause instanceof T2iException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("products = fp16 (use float32, the reference, or bfloat16)"),
                cause.getMessage());
    }
}
