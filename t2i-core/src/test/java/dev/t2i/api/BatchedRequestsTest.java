package dev.t2i.api;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.conditioning.TextConditioner;
import dev.t2i.dit.DitNetwork;
import dev.t2i.image.Images;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import dev.t2i.sampling.StepMonitor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@link ImageGenerator#generate(List, double, StepMonitor)}: several requests' options in one batch. */
class BatchedRequestsTest {
    private static ImageGenerator generator() {
        DitNetwork dit = TinyBundles.dit(31);
        return new ImageGenerator(dit, new TextConditioner(TinyBundles.clip(31), dit.config().contextLen()));
    }

    @Test
    void eachRequestOfABatchUsesItsOwnSeedAndImageCount() {
        ImageGenerator gen = generator();
        SamplingOptions a = new SamplingOptions(3, 2.0, 40, Sampler.HEUN, 2, null);
        SamplingOptions b = new SamplingOptions(3, 2.0, 7, Sampler.HEUN, 1, null);
        INDArray batch = gen.generate(List.of(new ImageGenerator.Request(List.of("a red circle", "a blue square"), a),
                new ImageGenerator.Request(List.of("a green triangle"), b)), 1.0, StepMonitor.NONE);
        INDArray first = gen.generate(List.of("a red circle", "a blue square"), null, a);
        INDArray second = gen.generate(List.of("a green triangle"), null, b);
        assertEquals(5, batch.size(0), "2 prompts × 2 images, then 1 × 1");
        // pixel for pixel, as T2iModel's batches are checked: float sums may differ in the last bit with the batch size
        List<BufferedImage> together = Images.toBufferedImages(batch);
        List<BufferedImage> alone = new ArrayList<>(Images.toBufferedImages(first));
        alone.addAll(Images.toBufferedImages(second));
        for (int i = 0; i < 5; i++) {
            assertSamePixels(alone.get(i), together.get(i), "image " + i);
        }
        assertTrue(ImageAssertions.differ(together.get(0), together.get(1)), "seeds 40 and 41");
        assertTrue(ImageAssertions.differ(together.get(4), Images.toBufferedImages(gen.generate(
                List.of("a green triangle"), null, b.withSeed(40))).get(0)), "the second request's seed is its own");
    }

    @Test
    void requestsThatWouldBeIntegratedDifferentlyCannotShareABatch() {
        ImageGenerator gen = generator();
        SamplingOptions a = new SamplingOptions(3, 2.0, 1, Sampler.EULER, 1, null);
        for (SamplingOptions b : List.of(new SamplingOptions(4, 2.0, 1, Sampler.EULER, 1, null),
                new SamplingOptions(3, 2.5, 1, Sampler.EULER, 1, null),
                new SamplingOptions(3, 2.0, 1, Sampler.HEUN, 1, null),
                new SamplingOptions(3, 2.0, 1, Sampler.EULER, 1, "blurry"))) {
            assertFalse(a.sameIntegrationAs(b), b.toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gen.generate(
                    List.of(new ImageGenerator.Request(List.of("x"), a), new ImageGenerator.Request(List.of("y"), b)),
                    1.0, StepMonitor.NONE));
            assertTrue(e.getMessage().contains("cannot share a batch"), e.getMessage());
        }
        assertTrue(a.sameIntegrationAs(new SamplingOptions(3, 2.0, 99, Sampler.parse("euler"), 4, null)),
                "seeds and image counts may differ");
    }
}
