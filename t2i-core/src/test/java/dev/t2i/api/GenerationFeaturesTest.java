package dev.t2i.api;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.Version;
import dev.t2i.image.PngText;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metadata in PNGs, seed stepping, image-to-image limits, progress and cancellation. */
class GenerationFeaturesTest {
    @TempDir
    static Path dir;
    static T2iModel model;

    @BeforeAll
    static void load() {
        model = T2iModel.load(TinyBundles.bundle(dir, 31));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void everyPngCarriesItsParametersAndTheyMakeTheSameImageAgain() {
        GenerationResult r = model.generate(GenerationRequest.builder("a red circle").seed(42).steps(5).cfgScale(2.5)
                .sampler("heun").negativePrompt("a blue square").imagesPerPrompt(3).build());
        for (int k = 0; k < 3; k++) {
            byte[] png = r.png(k);
            GenerationParameters p = GenerationParameters.fromPng(png);
            assertEquals(r.parameters(k), p, "image " + k + " round trip");
            assertEquals("a red circle", p.prompt());
            assertEquals("a blue square", p.negativePrompt());
            assertEquals(42 + k, p.seed());
            assertEquals(5, p.steps());
            assertEquals("heun", p.sampler());
            assertEquals(2.5, p.cfgScale());
            assertEquals(8, p.width());
            assertEquals(model.identity().hash(), p.modelHash());
            assertEquals("tiny", p.model());
            assertEquals(Version.current(), p.version());
            assertNull(p.strength());
            String text = PngText.read(png).get("parameters");
            assertEquals("a red circle\nNegative prompt: a blue square\nSteps: 5, Sampler: Heun, CFG scale: 2.5, Seed: "
                    + (42 + k) + ", Size: 8x8, Model hash: " + p.modelHash() + ", Model: tiny, Version: t2i "
                    + Version.current(), text);
            // made again from nothing but what the PNG says: the same bytes
            GenerationResult again = model.generate(GenerationRequest.builder(p.prompt()).seed(p.seed())
                    .steps(p.steps()).cfgScale(p.cfgScale()).sampler(p.sampler()).negativePrompt(p.negativePrompt())
                    .build());
            assertArrayEquals(png, again.png(0), "image " + k + " made again from its metadata");
        }
    }

    @Test
    void aGuidanceIntervalChangesTheImageIsRecordedAndMakesTheSameImageAgain() {
        GenerationRequest.Builder b = GenerationRequest.builder("a red circle").seed(7).steps(6).cfgScale(4);
        GenerationResult full = model.generate(b.build());
        GenerationResult limited = model.generate(b.cfgInterval(0.3, 0.8).build());
        GenerationParameters p = GenerationParameters.fromPng(limited.png(0));
        assertEquals(new dev.t2i.sampling.GuidanceInterval(0.3, 0.8), p.cfgInterval());
        assertNull(GenerationParameters.fromPng(full.png(0)).cfgInterval(), "guidance at every time records none");
        assertTrue(PngText.read(limited.png(0)).get("parameters")
                .contains(", CFG scale: 4, CFG interval: 0.3-0.8, Seed: 7"));
        assertTrue(p.json().contains("\"cfg_interval\":[0.3,0.8]"), p.json());
        assertFalse(java.util.Arrays.equals(full.png(0), limited.png(0)),
                "no guidance at some of the 6 steps' times changes the image");
        GenerationResult again = model.generate(GenerationRequest.builder(p.prompt()).seed(p.seed()).steps(p.steps())
                .cfgScale(p.cfgScale()).cfgInterval(p.cfgIntervalValue()).build());
        assertArrayEquals(limited.png(0), again.png(0));
        // null is the model's default again: here guidance at every time
        assertArrayEquals(full.png(0), model.generate(b.cfgInterval(null).build()).png(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationRequest.builder("x").cfgInterval(0.9, 0.1).build());
        assertTrue(e.getMessage().contains("0 <= from <= to <= 1"), e.getMessage());
    }

    @Test
    void textThatIsNotLatin1SurvivesInUtf8Chunks() {
        GenerationResult r = model.generate(GenerationRequest.builder("un cercle rouge — 赤い円").seed(3).build());
        assertEquals("un cercle rouge — 赤い円", GenerationParameters.fromPng(r.png(0)).prompt());
        Map<String, String> texts = PngText.read(r.png(0));
        assertTrue(texts.get("parameters").startsWith("un cercle rouge — 赤い円\nSteps: "));
    }

    @Test
    void imageKOfASteppedRequestEqualsARequestWithSeedPlusK() {
        GenerationResult eight = model.generate(GenerationRequest.builder("a green triangle").seed(100)
                .imagesPerPrompt(8).build());
        assertEquals(List.of(100L, 101L, 102L, 103L, 104L, 105L, 106L, 107L), eight.seeds());
        GenerationResult fourth = model.generate(GenerationRequest.builder("a green triangle").seed(103).build());
        assertArrayEquals(eight.png(3), fourth.png(0), "--seed 100 --n 8, image 3 == --seed 103 --n 1");
        assertEquals(103, GenerationParameters.fromPng(eight.png(3)).seed());
    }

    @Test
    void strengthZeroReturnsTheInitialImageAndOneIsTextToImage() {
        BufferedImage init = model.generate(GenerationRequest.builder("a yellow square").seed(9).build()).image(0);
        GenerationResult zero = model.generate(GenerationRequest.builder("a red circle").seed(1).initImage(init)
                .strength(0).build());
        assertSamePixels(init, zero.image(0), "strength 0");
        GenerationResult one = model.generate(GenerationRequest.builder("a red circle").seed(1).initImage(init)
                .strength(1).build());
        GenerationResult text = model.generate(GenerationRequest.builder("a red circle").seed(1).build());
        assertSamePixels(text.image(0), one.image(0), "strength 1 == text-to-image");
        GenerationResult half = model.generate(GenerationRequest.builder("a red circle").seed(1).initImage(init)
                .strength(0.5).build());
        assertTrue(ImageAssertions.differ(half.image(0), init) && ImageAssertions.differ(half.image(0), text.image(0)),
                "strength 0.5 is neither");
        GenerationParameters p = GenerationParameters.fromPng(half.png(0));
        assertEquals(0.5, p.strength());
        assertEquals(GenerationParameters.imageHash(init), p.initImageHash());
        assertTrue(PngText.read(half.png(0)).get("parameters").contains("Denoising strength: 0.5"));
        // an image of another size is scaled to the model's
        BufferedImage big = new BufferedImage(32, 24, BufferedImage.TYPE_INT_ARGB);
        assertEquals(8, model.generate(GenerationRequest.builder("x").initImage(big).strength(0.3).build()).image(0)
                .getWidth());
        assertThrows(IllegalArgumentException.class, () -> GenerationRequest.builder("x").strength(0.5).build());
        assertThrows(IllegalArgumentException.class,
                () -> GenerationRequest.builder("x").initImage(init).strength(1.5).build());
    }

    @Test
    void progressReportsEveryStepWithPreviews() {
        List<Integer> steps = new ArrayList<>();
        AtomicReference<List<BufferedImage>> preview = new AtomicReference<>();
        GenerationResult r = model.submit(GenerationRequest.builder("a red circle").seed(2).steps(6).imagesPerPrompt(2)
                .build(), p -> {
                    steps.add(p.step());
                    assertEquals(6, p.totalSteps());
                    if (p.step() == 6) {
                        preview.set(p.preview());
                    }
                }).join();
        assertEquals(List.of(1, 2, 3, 4, 5, 6), steps);
        assertEquals(2, preview.get().size());
        assertEquals(8, preview.get().get(0).getWidth());
        assertEquals(2, r.size());
    }

    @Test
    void cancellingStopsWithinOneStepAndFreesTheWorker() throws Exception {
        AtomicReference<CompletableFuture<GenerationResult>> handle = new AtomicReference<>();
        AtomicInteger lastStep = new AtomicInteger();
        long[] cancelledAt = new long[1];
        CompletableFuture<GenerationResult> f = model.submit(GenerationRequest.builder("a red circle").seed(4)
                .steps(GenerationRequest.MAX_STEPS).build(), p -> {
                    lastStep.set(p.step());
                    if (p.step() == 3) {
                        while (handle.get() == null) {
                            Thread.onSpinWait();
                        }
                        cancelledAt[0] = System.nanoTime();
                        handle.get().cancel(true);
                    }
                });
        handle.set(f);
        assertThrows(CancellationException.class, () -> f.get(60, TimeUnit.SECONDS));
        // the next request runs as soon as the worker dropped the cancelled one
        GenerationResult next = model.submit(GenerationRequest.builder("a blue square").seed(5).steps(2).build())
                .get(60, TimeUnit.SECONDS);
        double ms = (System.nanoTime() - cancelledAt[0]) / 1e6;
        System.out.printf("cancelled at step 3 of %d; last step reported %d; next request done %.0f ms after the"
                + " cancel%n", GenerationRequest.MAX_STEPS, lastStep.get(), ms);
        assertEquals(3, lastStep.get(), "no step reported after the cancel");
        assertEquals(1, next.size());
        assertEquals(0, model.queuedRequests());
    }
}
