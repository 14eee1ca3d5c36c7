package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.SmallDisk;
import dev.t2i.api.TinyBundles;
import dev.t2i.bundle.Bundle;
import dev.t2i.train.MetricsLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands on a disk that fills up (a small tmpfs, really full, see {@link SmallDisk}): each
 * stops with one line that says the disk is full, where, and what to do; what was complete
 * before stays intact, nothing half written is taken for finished, and rerunning once there is
 * room completes the work.
 */
class DiskFullCliTest {
    /** A text DiT small enough that a checkpoint is a few hundred KB, for the shapes data. */
    private static final String SMALL_CONFIG = """
            description: a very small text DiT for the full-disk test
            model:
              variant: text
              img_size: 16
              patch_size: 4
              in_channels: 3
              embed_dim: 32
              depth: 1
              num_heads: 2
              mlp_ratio: 2.0
              context_dim: 32
              context_len: 24
              adaln: zero
            train:
              batch: 8
              steps: 4
              lr: 1.0e-3
              log_every: 1
              checkpoint_every: 2
              sample_every: 0
            sample:
              steps: 2
              cfg: 2.0
              sampler: euler
            """;

    @TempDir
    static Path shared;
    static Path bundle;
    static Path clip;
    static Path config;

    @BeforeAll
    static void makeModels() throws IOException {
        bundle = TinyBundles.bundle(shared, 53);
        TinyRuns.runFolder(shared, 53);
        clip = shared.resolve("clip.t2i");
        config = shared.resolve("small.yaml");
        Files.writeString(config, SMALL_CONFIG);
    }

    @Test
    void aTrainingRunStopsInOneLineKeepsItsCheckpointAndResumesOnceThereIsRoom(@TempDir Path dir)
            throws IOException {
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 4096)) {
            Path run = disk.root().resolve("run");
            Path metrics = run.resolve("metrics.csv");
            String[] first = train(run, 4, false);
            assertEquals("0", first[0], first[2]);
            Path kept = run.resolve("checkpoints/step-00000004.t2i");
            byte[] keptBytes = Files.readAllBytes(kept);
            String metricsBefore = Files.readString(metrics);
            String resumeAdvice = " (No space left on device): free space and rerun with --resume; it continues from"
                    + " step-00000004.t2i";

            // no room at all: the resume's rewrite of metrics.csv is the first write, and fails
            disk.fill();
            String[] full = train(run, 8, true);
            assertEquals("2", full[0], full[2]);
            assertOneErrorLine(full[2], "error: disk full while writing " + metrics + resumeAdvice);
            assertEquals(metricsBefore, Files.readString(metrics), "metrics.csv as it was");

            // room for metrics.csv but not for the checkpoint of step 6
            disk.makeRoom();
            disk.leave(2);
            String[] checkpoint = train(run, 8, true);
            assertEquals("2", checkpoint[0], checkpoint[2]);
            assertOneErrorLine(checkpoint[2], "error: disk full while writing "
                    + run.resolve("checkpoints/step-00000006.t2i") + resumeAdvice);
            assertArrayEquals(keptBytes, Files.readAllBytes(kept), "the newest complete checkpoint is intact");
            assertEquals(List.of("step-00000002.t2i", "step-00000004.t2i"), names(run.resolve("checkpoints")),
                    "no half-written checkpoint, no temporary file");
            List<MetricsLog.Row> rows = MetricsLog.read(metrics);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), rows.stream().map(MetricsLog.Row::step).toList(),
                    "whole rows only");

            // room for the checkpoint of step 6 and a page more, not for the sample grid after it
            disk.makeRoom();
            disk.leave(Math.toIntExact(keptBytes.length / SmallDisk.PAGE + 2));
            String[] grid = train(run, 8, true, "--sample-every", "2");
            assertEquals("2", grid[0], grid[2]);
            assertOneErrorLine(grid[2], "error: disk full while writing " + run.resolve("samples/step-00000006.png")
                    + " (No space left on device): free space and rerun with --resume; it continues from"
                    + " step-00000006.t2i");
            assertEquals(List.of(), names(run.resolve("samples")), "no half-written grid, no temporary file");

            disk.makeRoom();
            String[] resumed = train(run, 8, true, "--sample-every", "2");
            assertEquals("0", resumed[0], resumed[2]);
            assertTrue(resumed[2].contains("resuming " + run + " at step 6 of 8"), resumed[2]);
            assertEquals(List.of("step-00000008.png"), names(run.resolve("samples")));
            assertEquals(List.of("step-00000004.t2i", "step-00000006.t2i", "step-00000008.t2i"),
                    names(run.resolve("checkpoints")));
            assertEquals(LongStream.rangeClosed(1, 8).boxed().toList(), MetricsLog.read(metrics).stream()
                    .map(MetricsLog.Row::step).toList(), "rows past a checkpoint were dropped and written again");
            assertTrue(Files.exists(run.resolve("loss.png")));
        }
    }

    @Test
    void aBundleThatDoesNotFitLeavesTheOldOneIntact(@TempDir Path dir) throws IOException {
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 16384)) {
            Path out = disk.root().resolve("tiny.t2i");
            String[] first = GenerationCliTest.run("bundle", "--model", shared.resolve("run").toString(), "--out",
                    out.toString());
            assertEquals("0", first[0], first[2]);
            byte[] good = Files.readAllBytes(out);

            disk.fill();
            String[] full = GenerationCliTest.run("bundle", "--model", shared.resolve("run").toString(), "--out",
                    out.toString(), "--steps", "9");
            assertEquals("2", full[0], full[2]);
            assertOneErrorLine(full[2], "error: disk full while writing " + out
                    + " (No space left on device): free space and run the command again");
            assertArrayEquals(good, Files.readAllBytes(out), "the bundle written before is untouched");
            assertEquals(List.of("filler", "tiny.t2i"), names(disk.root()), "no temporary file is left");
            Bundle.read(out).release();
        }
    }

    @Test
    void aSamplePngThatDoesNotFitLeavesNoFile(@TempDir Path dir) throws IOException {
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 256)) {
            Path png = disk.root().resolve("s.png");
            disk.fill();
            String[] full = GenerationCliTest.run("sample", "--model", bundle.toString(), "--prompt", "a red circle",
                    "--steps", "2", "--out", png.toString());
            assertEquals("2", full[0], full[2]);
            assertOneErrorLine(full[2], "error: disk full while writing " + png
                    + " (No space left on device): free space and run the command again");
            assertEquals(List.of("filler"), names(disk.root()));
        }
    }

    @Test
    void generateBatchStopsAndARerunFinishesTheRowsWithTheSameBytes(@TempDir Path dir) throws IOException {
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, String.join("\n", "{\"prompt\": \"a red circle\"}",
                "{\"prompt\": \"a blue square\", \"n\": 2}", "{\"prompt\": \"a green triangle\"}") + "\n");
        Path reference = dir.resolve("reference");
        assertEquals("0", batch(prompts, reference)[0]);
        List<String> images = List.of("row-00000-0.png", "row-00001-0.png", "row-00001-1.png", "row-00002-0.png");
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 256)) {
            Path out = disk.root().resolve("batch");
            // room for about two small files: the run stops after a row or two
            disk.leave(2);
            String[] full = batch(prompts, out);
            assertNotEquals("0", full[0], full[2]);
            String error = assertOneErrorLine(full[2], null);
            assertTrue(error.startsWith("error: disk full while writing " + out + "/"), error);
            assertTrue(error.endsWith(" (No space left on device): free space and run the same command again; it"
                    + " skips the rows already done"), error);
            assertTrue(names(out).stream().noneMatch(n -> n.endsWith(".tmp")), "no temporary file: " + names(out));
            List<String> manifest = Files.exists(out.resolve("manifest.jsonl"))
                    ? Files.readAllLines(out.resolve("manifest.jsonl")) : List.of();
            ObjectMapper json = new ObjectMapper();
            for (String line : manifest) {
                json.readTree(line); // every line whole
            }
            assertTrue(manifest.size() < 3, "the disk filled before the end: " + manifest);

            disk.makeRoom();
            String[] rerun = batch(prompts, out);
            assertEquals("0", rerun[0], rerun[2]);
            assertTrue(rerun[2].contains("3 lines: " + manifest.size() + " done before"), rerun[2]);
            for (String image : images) {
                assertArrayEquals(Files.readAllBytes(reference.resolve(image)), Files.readAllBytes(out.resolve(image)),
                        image + " as an uninterrupted run makes it");
            }
            assertEquals(3, Files.readAllLines(out.resolve("manifest.jsonl")).size());
        }
    }

    private static String[] train(Path run, int steps, boolean resume, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", "shapes", "--limit", "16",
                "--config", config.toString(), "--clip", clip.toString(), "--steps", Integer.toString(steps),
                "--out", run.toString()));
        if (resume) {
            args.add("--resume");
        }
        args.addAll(List.of(more));
        return GenerationCliTest.run(args.toArray(String[]::new));
    }

    private static String[] batch(Path prompts, Path out) {
        return GenerationCliTest.run("generate-batch", "--model", bundle.toString(), "--prompts", prompts.toString(),
                "--out", out.toString(), "--steps", "2");
    }

    /**
     * Checks that standard error ends in exactly one error line (equal to {@code expected} where
     * given) and holds no stack trace; returns that line.
     */
    private static String assertOneErrorLine(String stderr, String expected) {
        List<String> lines = stderr.strip().lines().toList();
        List<String> errors = lines.stream().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), stderr);
        assertEquals(errors.get(0), lines.get(lines.size() - 1), stderr);
        assertFalse(stderr.contains("Exception") || stderr.contains("\tat "), stderr);
        if (expected != null) {
            assertEquals(expected, errors.get(0));
        }
        return errors.get(0);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
