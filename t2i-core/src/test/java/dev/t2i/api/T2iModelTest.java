package dev.t2i.api;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.image.Images;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.dit.DitNetwork;
import dev.t2i.io.ModelArchive;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class T2iModelTest {
    @TempDir
    static Path dir;
    static Path bundle;
    static T2iModel model;

    @BeforeAll
    static void load() {
        bundle = TinyBundles.bundle(dir, 21);
        model = T2iModel.load(bundle);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationRequest request(String prompt, long seed) {
        return GenerationRequest.builder(prompt).seed(seed).build();
    }

    @Test
    void sameSeedGivesTheSameImagesAndUnsetSettingsTakeTheBundleDefaults() {
        GenerationResult a = model.generate(request("a red circle", 7));
        GenerationResult b = model.generate(request("a red circle", 7));
        GenerationResult c = model.generate(request("a red circle", 8));
        assertArrayEquals(a.png(0), b.png(0), "same seed, same PNG");
        assertTrue(ImageAssertions.differ(a.image(0), c.image(0)), "another seed, another image");
        assertEquals(TinyBundles.DEFAULTS.steps(), a.steps());
        assertEquals(TinyBundles.DEFAULTS.cfg(), a.cfgScale());
        assertEquals(Sampler.EULER, a.sampler());
        assertEquals(List.of(7L), a.seeds());
        assertEquals(8, a.image(0).getWidth());
        GenerationResult random = model.generate(GenerationRequest.of("a red circle"));
        assertTrue(random.seed() >= 0, "a drawn seed is reported");
        ModelInfo info = model.info();
        assertEquals(8, info.imageSize());
        assertEquals(1, info.formatVersion());
        assertTrue(info.ema());
        assertEquals(5L, info.trainingStep());
    }

    @Test
    void resultsEqualTheGeneratorOfTheBundledEmaWeights() {
        // the generator the API wraps, built by hand from the weights the bundle was written with
        DitNetwork dit = TinyBundles.dit(21);
        dit.setWeights(TinyBundles.emaWeights(dit, 21));
        ImageGenerator original = new ImageGenerator(dit, new TextConditioner(TinyBundles.clip(21), dit.config().contextLen()));
        SamplingOptions opts = new SamplingOptions(4, 3.0, 11, Sampler.HEUN, 2, "a blue square");
        List<BufferedImage> expected = Images.toBufferedImages(original.generate(List.of("a red circle",
                "a green triangle"), null, opts));
        GenerationResult r = model.generate(GenerationRequest.builder(List.of("a red circle", "a green triangle"))
                .imagesPerPrompt(2).steps(4).cfgScale(3.0).sampler("heun").negativePrompt("a blue square").seed(11)
                .build());
        assertEquals(4, r.size());
        assertEquals(List.of("a red circle", "a red circle", "a green triangle", "a green triangle"), r.prompts());
        for (int i = 0; i < 4; i++) {
            assertSamePixels(expected.get(i), r.image(i), "image " + i);
        }
        assertTrue(ImageAssertions.differ(r.image(0), r.image(1)), "images of one prompt use different noise");
    }

    @Test
    void concurrentRequestsFromEightThreadsEqualTheirSingleRequestResults() throws Exception {
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            GenerationRequest.Builder b = GenerationRequest.builder(i % 3 == 0 ? "a red circle" : "shape " + i)
                    .seed(100 + i).imagesPerPrompt(1 + i % 2);
            if (i % 4 == 3) {
                b.cfgScale(1.5); // a second settings group, batched separately
            }
            requests.add(b.build());
        }
        List<GenerationResult> alone = new ArrayList<>();
        for (GenerationRequest r : requests) {
            alone.add(model.generate(r));
        }
        for (int round = 0; round < 3; round++) {
            CyclicBarrier start = new CyclicBarrier(8);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<GenerationResult>> futures = new ArrayList<>();
            for (GenerationRequest r : requests) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return model.generate(r);
                }));
            }
            int largestBatch = 0;
            for (int i = 0; i < 8; i++) {
                GenerationResult r = futures.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(alone.get(i).size(), r.size());
                for (int k = 0; k < r.size(); k++) {
                    assertSamePixels(alone.get(i).image(k), r.image(k), "round " + round + " request " + i + " image " + k);
                }
                largestBatch = Math.max(largestBatch, r.batchImages());
            }
            pool.shutdown();
            System.out.println("8 concurrent requests, round " + round + ": largest batch " + largestBatch + " images");
        }
    }

    @Test
    void badSettingsAreRejectedWithMessagesNamingThem() {
        assertMessage("steps", () -> GenerationRequest.builder("x").steps(0).build());
        assertMessage("steps", () -> GenerationRequest.builder("x").steps(1001).build());
        assertMessage("cfg", () -> GenerationRequest.builder("x").cfgScale(Double.NaN).build());
        assertMessage("cfg", () -> GenerationRequest.builder("x").cfgScale(-1).build());
        assertMessage("images per prompt", () -> GenerationRequest.builder("x").imagesPerPrompt(0).build());
        assertMessage("at most 64", () -> GenerationRequest.builder(List.of("a", "b")).imagesPerPrompt(40).build());
        assertMessage("at least one prompt", () -> GenerationRequest.builder(List.of()).build());
        assertMessage("prompt 1 is null", () -> GenerationRequest.builder(java.util.Arrays.asList("a", null)).build());
        T2iException e = assertThrows(T2iException.class, () -> GenerationRequest.builder("x").sampler("ddim"));
        assertTrue(e.getMessage().contains("euler or heun"), e.getMessage());
        assertThrows(NullPointerException.class, () -> model.submit(null));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void aFullQueueRejectsAndCloseFailsWaitingRequestsButFinishesTheRunningOne() throws Exception {
        T2iModel small = T2iModel.load(bundle, new BatchingOptions(16, 1));
        CompletableFuture<GenerationResult> running = small.submit(GenerationRequest.builder("long").steps(150)
                .seed(1).build());
        waitUntil(() -> small.queuedRequests() == 0);
        CompletableFuture<GenerationResult> waiting = small.submit(request("waits", 2));
        RejectedExecutionException full = assertThrows(RejectedExecutionException.class,
                () -> small.submit(request("one too many", 3)));
        assertTrue(full.getMessage().contains("try again later"), full.getMessage());
        small.close();
        assertEquals(150, running.get(60, TimeUnit.SECONDS).steps(), "the running batch finishes");
        CompletionException e = assertThrows(CompletionException.class, waiting::join);
        assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        assertThrows(IllegalStateException.class, () -> small.submit(request("after close", 4)));
        small.close(); // idempotent
    }

    @Test
    void loadingSomethingElseGivesAClearError() {
        T2iException missing = assertThrows(T2iException.class, () -> T2iModel.load(dir.resolve("nope.t2i")));
        assertTrue(missing.getMessage().contains("bundle not found"), missing.getMessage());
        Path other = dir.resolve("weights.zip");
        // an archive like a checkpoint: tensors and JSON, no bundle manifest
        ModelArchive.create().putTensors("weights.safetensors", Map.of("x", org.nd4j.linalg.factory.Nd4j.ones(2)))
                .putJson("state.json", Map.of("step", 5)).write(other);
        T2iException notBundle = assertThrows(T2iException.class, () -> T2iModel.load(other));
        assertTrue(notBundle.getMessage().contains("not a t2i bundle"), notBundle.getMessage());
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(2);
        }
    }
}
