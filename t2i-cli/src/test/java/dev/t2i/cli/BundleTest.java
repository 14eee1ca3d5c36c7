package dev.t2i.cli;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.t2i.T2iException;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TinyBundles;
import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.io.ModelArchive;
import dev.t2i.train.Checkpoint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code t2i bundle}, reading bundles back, and rejecting damaged ones before SameDiff sees them. */
class BundleTest {
    @TempDir
    static Path dir;
    static Path run;
    static Path bundle;

    @BeforeAll
    static void bundleTheTinyRun() throws IOException {
        run = TinyRuns.runFolder(dir, 33);
        // what a text run records of its data: the distinct captions
        Files.writeString(run.resolve("run.json"), "{\"captions\": [\"a red circle\", \"a yellow square\"]}");
        bundle = dir.resolve("cli.t2i");
        int code = Main.run("bundle", "--model", run.toString(), "--out", bundle.toString(), "--steps", "3", "--cfg",
                "2.5", "--sampler", "heun");
        assertEquals(0, code, "t2i bundle exit code");
    }

    @Test
    void theBundleHoldsTheEmaWeightsDefaultsAndAManifestWithChecksums() {
        Bundle b = Bundle.read(bundle);
        BundleManifest m = b.manifest();
        assertEquals(Bundle.FORMAT, m.format());
        assertEquals(Bundle.WEIGHTS_FORMAT_VERSION, m.formatVersion(), "a CLIP from a file is stored as weights, in the"
                + " layout older readers know");
        assertTrue(m.createdBy().startsWith("t2i "), m.createdBy());
        assertTrue(Instant.parse(m.created()).isBefore(Instant.now().plusSeconds(1)));
        assertEquals(3, m.sampling().steps());
        assertEquals(2.5, m.sampling().cfg());
        assertEquals(dev.t2i.sampling.Sampler.HEUN, m.sampling().sampler());
        assertTrue(m.source().ema());
        assertEquals(5L, m.source().step());
        assertTrue(m.source().clip().endsWith("clip.t2i"), m.source().clip());
        assertEquals(List.of("a red circle", "a yellow square"), m.source().trainingCaptions(), "from run.json");
        String info = CliTest.stdoutOf(() -> assertEquals(0, Main.run("info", "--model", bundle.toString())));
        assertTrue(info.contains("trained on 2 captions:\n  a red circle\n  a yellow square"), info);
        for (String part : new String[] {"dit.samediff", "dit-config.json", "clip.samediff", "clip-tokenizer.bin"}) {
            assertTrue(m.parts().containsKey(part), "manifest lists " + part);
            assertTrue(m.parts().get(part).sha256().matches("[0-9a-f]{64}"));
        }
        Map<String, INDArray> ema = Checkpoint.read(run).ema();
        for (var e : b.dit().weights().entrySet()) {
            assertTrue(e.getValue().equalsWithEps(ema.get(e.getKey()), 0), e.getKey() + " is the EMA weight");
        }
    }

    @Test
    void aGuidanceIntervalGivenToBundleBecomesTheModelsDefault(@TempDir Path tmp) {
        assertEquals(dev.t2i.sampling.GuidanceInterval.FULL, Bundle.read(bundle).manifest().sampling().cfgInterval(),
                "none given: every time, as the run recorded");
        Path limited = tmp.resolve("limited.t2i");
        assertEquals(0, Main.run("bundle", "--model", run.toString(), "--out", limited.toString(), "--cfg-interval",
                "0.2,0.85"));
        assertEquals(new dev.t2i.sampling.GuidanceInterval(0.2, 0.85),
                Bundle.read(limited).manifest().sampling().cfgInterval());
        try (T2iModel model = T2iModel.load(limited)) {
            assertEquals(new dev.t2i.sampling.GuidanceInterval(0.2, 0.85), model.info().defaultCfgInterval());
            GenerationResult r = model.generate(GenerationRequest.builder("a red circle").seed(1).build());
            assertEquals(new dev.t2i.sampling.GuidanceInterval(0.2, 0.85), r.parameters(0).cfgInterval(),
                    "a request without one gets the bundle's");
        }
    }

    @Test
    void aModelTrainedOnShortCaptionsGeneratesThroughTheApi(@TempDir Path tmp) {
        // the demo's DiT keeps 24 of CLIP's 77 positions and pools the caption into adaLN: the API
        // and the server must crop prompts as training did
        dev.t2i.dit.DitNetwork dit = dev.t2i.dit.DitGraph.build(dev.t2i.dit.DitConfig.builder().imgSize(8)
                .patchSize(2).embedDim(32).depth(1).numHeads(2).mlpRatio(2.0).contextDim(TinyBundles.CTX).contextLen(8)
                .numClasses(2).adaln(dev.t2i.dit.DitConfig.AdaLn.ZERO).textPool(true).build(), 3);
        Path file = tmp.resolve("short.t2i");
        Bundle.write(file, dit, TinyBundles.clip(3), TinyBundles.DEFAULTS,
                new BundleManifest.Source("test", 1L, false, "tiny clip"));
        try (T2iModel model = T2iModel.load(file)) {
            GenerationResult r = model.generate(GenerationRequest.builder("a red circle").seed(1).build());
            assertEquals(1, r.size());
            assertEquals(8, r.image(0).getWidth());
        }
    }

    @Test
    void theSameSeedGivesTheSameImageThroughTheApiAndTheCommandLine() throws IOException {
        Path out = dir.resolve("cli-images");
        int code = Main.run("sample", "--model", bundle.toString(), "--prompt", "a yellow square", "--seed", "9",
                "--n", "2", "--separate", "--out", out.toString());
        assertEquals(0, code, "t2i sample exit code");
        try (T2iModel model = T2iModel.load(bundle)) {
            GenerationResult r = model.generate(GenerationRequest.builder("a yellow square").seed(9).imagesPerPrompt(2)
                    .build());
            assertEquals(3, r.steps(), "the bundle's default steps");
            for (int k = 0; k < 2; k++) {
                BufferedImage cli = ImageIO.read(out.resolve(String.format("image-%03d.png", k)).toFile());
                assertSamePixels(cli, r.image(k), "image " + k);
            }
        }
        assertEquals(2, Main.run("sample", "--model", bundle.toString(), "--clip", "random", "--prompt", "x", "--out",
                dir.resolve("x.png").toString()), "--clip with a bundle is a usage error");
    }

    @Test
    void aFlippedByteAnywhereGivesAClearErrorOrAnIntactModelNeverACrash() throws IOException {
        byte[] good = Files.readAllBytes(bundle);
        int rejected = 0;
        for (int i = 1; i <= 24; i++) {
            byte[] bad = good.clone();
            int at = (int) ((long) good.length * i / 25);
            bad[at] ^= 0x5A;
            Path file = dir.resolve("flipped-" + i + ".t2i");
            Files.write(file, bad);
            try {
                Bundle.read(file).release(); // a flip in zip metadata that nothing reads leaves the model intact
            } catch (T2iException e) {
                assertTrue(e.getMessage().contains("corrupt"), "byte " + at + ": " + e.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected >= 20, "most flips land in compressed data and are caught; caught " + rejected);
    }

    @Test
    void aPartThatDoesNotMatchItsChecksumIsRejectedBeforeLoading() throws IOException {
        Path file = dir.resolve("tampered.t2i");
        // a well-formed zip (its CRCs are right) whose DiT graph differs from what the manifest recorded
        rewrite(bundle, file, (name, bytes) -> {
            if (name.equals("dit.samediff")) {
                byte[] b = bytes.clone();
                b[b.length / 2] ^= 1;
                return b;
            }
            return bytes;
        });
        T2iException e = assertThrows(T2iException.class, () -> Bundle.read(file));
        assertTrue(e.getMessage().contains("'dit.samediff' does not match its SHA-256"), e.getMessage());
    }

    @Test
    void aTruncatedBundleIsRejected() throws IOException {
        byte[] good = Files.readAllBytes(bundle);
        Path half = dir.resolve("half.t2i");
        Files.write(half, Arrays.copyOf(good, good.length / 2));
        T2iException e = assertThrows(T2iException.class, () -> Bundle.read(half));
        assertTrue(e.getMessage().contains("corrupt or truncated"), e.getMessage());

        // cut exactly after the manifest: a valid zip that lacks the parts it lists
        Path head = dir.resolve("head.t2i");
        rewrite(bundle, head, (name, bytes) -> name.equals(Bundle.MANIFEST) ? bytes : null);
        T2iException e2 = assertThrows(T2iException.class, () -> Bundle.read(head));
        assertTrue(e2.getMessage().contains("missing (truncated file?)"), e2.getMessage());
    }

    @Test
    void aBundleOfANewerFormatIsRejectedWithAnUpgradeHint() throws IOException {
        Path file = dir.resolve("future.t2i");
        editManifest(file, m -> m.put("format_version", Bundle.FORMAT_VERSION + 1).put("created_by", "t2i 9.0"));
        T2iException e = assertThrows(T2iException.class, () -> Bundle.read(file));
        assertTrue(e.getMessage().contains("format version " + (Bundle.FORMAT_VERSION + 1)), e.getMessage());
        assertTrue(e.getMessage().contains("t2i 9.0") && e.getMessage().contains("upgrade"), e.getMessage());

        Path foreign = dir.resolve("foreign.t2i");
        editManifest(foreign, m -> m.put("format", "something-else"));
        T2iException e2 = assertThrows(T2iException.class, () -> Bundle.read(foreign));
        assertTrue(e2.getMessage().contains("not a t2i bundle"), e2.getMessage());
    }

    @Test
    void aCheckpointIsNotABundle() {
        Path checkpoint = Checkpoint.latest(run);
        assertTrue(!Bundle.isBundle(checkpoint) && Bundle.isBundle(bundle));
        T2iException e = assertThrows(T2iException.class, () -> Bundle.read(checkpoint));
        assertTrue(e.getMessage().contains("not a t2i bundle") && e.getMessage().contains("t2i bundle --model"),
                e.getMessage());
        assertEquals(2, Main.run("bundle", "--model", bundle.toString(), "--out", dir.resolve("again.t2i").toString()),
                "bundling a bundle is a usage error");
    }

    private static void editManifest(Path out, UnaryOperator<ObjectNode> edit) throws IOException {
        rewrite(bundle, out, (name, bytes) -> {
            if (!name.equals(Bundle.MANIFEST)) {
                return bytes;
            }
            try {
                ObjectNode m = (ObjectNode) ModelArchive.JSON.readTree(bytes);
                return ModelArchive.JSON.writeValueAsBytes(edit.apply(m));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Copies a zip entry by entry through {@code edit}; a null result drops the entry. */
    private static void rewrite(Path in, Path out, java.util.function.BiFunction<String, byte[], byte[]> edit)
            throws IOException {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(in))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                parts.put(e.getName(), zip.readAllBytes());
            }
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(buffer)) {
            for (var e : parts.entrySet()) {
                byte[] b = edit.apply(e.getKey(), e.getValue());
                if (b != null) {
                    zip.putNextEntry(new ZipEntry(e.getKey()));
                    zip.write(b);
                    zip.closeEntry();
                }
            }
        }
        Files.write(out, buffer.toByteArray());
    }
}
