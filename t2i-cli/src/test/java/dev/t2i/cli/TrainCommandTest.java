package dev.t2i.cli;

import static dev.t2i.cli.CliTest.stderrOf;
import static dev.t2i.cli.CliTest.stdoutOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train command's options and what a run folder gives the commands that read it. */
class TrainCommandTest {
    @Test
    void intervalsFromTheCommandLineAndTheRunsSamplingDefaults(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertEquals(0, Main.run("train", "--data", "shapes", "--limit", "64", "--preset", "shapes", "--steps", "4",
                "--batch", "8", "--sample-every", "2", "--checkpoint-every", "2", "--out", run.toString()));
        assertTrue(Files.exists(run.resolve("samples/step-00000002.png")), "grid at step 2");
        assertTrue(Files.exists(run.resolve("samples/step-00000004.png")), "grid at the end");
        assertTrue(Files.exists(run.resolve("checkpoints/step-00000002.t2i")), "checkpoint at step 2");

        // sample takes the run's recorded defaults (the shapes preset: 20 Heun steps at cfg 5)
        String out = stdoutOf(() -> assertEquals(0, Main.run("sample", "--model", run.toString(), "--prompt",
                "a red circle", "--out", dir.resolve("a.png").toString())));
        assertTrue(out.contains("20 heun steps, cfg 5.00"), out);
        out = stdoutOf(() -> assertEquals(0, Main.run("sample", "--model", run.toString(), "--prompt", "a red circle",
                "--weights", "live", "--steps", "3", "--sampler", "euler", "--out", dir.resolve("b.png").toString())));
        assertTrue(out.contains("3 euler steps, cfg 5.00"), out);
        String err = stderrOf(() -> assertEquals(2, Main.run("sample", "--model", run.toString(), "--prompt", "x",
                "--weights", "newest", "--out", dir.resolve("c.png").toString())));
        assertTrue(err.contains("unknown weights 'newest' (use ema or live)"), err);

        // a bundle written over its own checkpoint would lose the run's state
        Path ckpt = run.resolve("checkpoints/step-00000004.t2i");
        long size = Files.size(ckpt);
        err = stderrOf(() -> assertEquals(2, Main.run("bundle", "--model", ckpt.toString(), "--out",
                ckpt.toString())));
        assertTrue(err.contains("is the model being bundled"), err);
        assertEquals(size, Files.size(ckpt));
    }

    @Test
    void aDataSetSmallerThanTheBatchTrains(@TempDir Path dir) {
        Path run = dir.resolve("small");
        String err = stderrOf(() -> assertEquals(0, Main.run("train", "--data", "shapes", "--limit", "5", "--preset",
                "shapes", "--steps", "2", "--batch", "32", "--out", run.toString())));
        assertTrue(err.contains("fewer than a batch of 32: training with batches of 5"), err);
        assertFalse(err.contains("stopping: writing a checkpoint"), err);
        assertTrue(Files.exists(run.resolve("checkpoints/step-00000002.t2i")));
    }

    @Test
    void aTimeLimitEndsTheRunAndBadValuesAreNamed(@TempDir Path dir) {
        String err = stderrOf(() -> assertEquals(2, Main.run("train", "--data", "shapes", "--limit", "16",
                "--preset", "shapes", "--time-limit", "soon", "--out", dir.resolve("r").toString())));
        assertTrue(err.contains("invalid time_limit 'soon'"), err);
        err = stderrOf(() -> assertEquals(2, Main.run("train", "--data", "shapes", "--limit", "16", "--preset",
                "shapes", "--sample-every", "-1", "--out", dir.resolve("r2").toString())));
        assertTrue(err.contains("sample_every"), err);
    }

    @Test
    void aBodyLimitPastTheIntRangeIsRefusedNotOverflowed(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.t2i");
        Files.write(model, new byte[] {1});
        String err = stderrOf(() -> assertEquals(2, Main.run("serve", "--model", model.toString(), "--max-body",
                "2147483647")));
        assertTrue(err.contains("body limit must be between 64 bytes and 67108864"), err);
    }

    @Test
    void aModelFileWithoutTrainingStateIsNotResumed(@TempDir Path dir) {
        Path run = dir.resolve("bare");
        dev.t2i.dit.DitFiles.save(dev.t2i.dit.DitGraph.build(dev.t2i.config.Preset.named("shapes").model(), 0),
                run.resolve("checkpoints/step-00000001.t2i"));
        String err = stderrOf(() -> assertEquals(2, Main.run("train", "--data", "shapes", "--limit", "16", "--preset",
                "shapes", "--resume", "--out", run.toString())));
        assertTrue(err.contains("without its training state (no state.json)"), err);
        assertFalse(err.contains("NullPointerException"), err);
    }
}
