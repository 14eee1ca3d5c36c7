package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.TestData;
import dev.t2i.io.Safetensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The command line end to end, on the committed golden fixtures and tiny runs. */
class CliTest {
    static final Path TINY_CLIP = TestData.fixture("clip");

    @Test
    void encodeReproducesTheOfficialOutputs(@TempDir Path dir) {
        Path out = dir.resolve("enc.safetensors");
        assertEquals(0, Main.run("encode", "--clip", TINY_CLIP.resolve("model").toString(), "--prompts",
                TINY_CLIP.resolve("prompts.json").toString(), "--out", out.toString()));
        Map<String, INDArray> got = Safetensors.readAll(out);
        Map<String, INDArray> golden = Safetensors.readAll(TINY_CLIP.resolve("golden.safetensors"));
        assertEquals(golden.get("input_ids"), got.get("input_ids"));
        assertEquals(golden.get("attention_mask"), got.get("attention_mask"));
        for (String k : new String[] {"last_hidden_state", "pooler_output", "text_embeds"}) {
            double err = got.get(k).sub(golden.get(k)).amaxNumber().doubleValue();
            assertTrue(err <= 1e-4, k + " error " + err);
        }
    }

    @Test
    void convertedClipEncodesLikeTheFolder(@TempDir Path dir) {
        Path file = dir.resolve("clip.t2i");
        assertEquals(0, Main.run("convert-clip", "--from", TINY_CLIP.resolve("model").toString(), "--out",
                file.toString()));
        Path out = dir.resolve("enc.safetensors");
        assertEquals(0, Main.run("encode", "--clip", file.toString(), "--prompts",
                TINY_CLIP.resolve("prompts.json").toString(), "--out", out.toString()));
        Map<String, INDArray> golden = Safetensors.readAll(TINY_CLIP.resolve("golden.safetensors"));
        assertEquals(golden.get("input_ids"), Safetensors.readAll(out).get("input_ids"));
    }

    @Test
    void forwardMatchesTheReferenceCheckpoint(@TempDir Path dir) {
        Path ckpt = TestData.fixture("dit");
        Path out = dir.resolve("v.safetensors");
        assertEquals(0, Main.run("forward", "--model", ckpt.toString(), "--inputs",
                ckpt.resolve("golden.safetensors").toString(), "--out", out.toString()));
        INDArray expected = Safetensors.readAll(ckpt.resolve("golden.safetensors")).get("velocity");
        assertTrue(Safetensors.readAll(out).get("velocity").sub(expected).amaxNumber().doubleValue() <= 1e-4);
    }

    @Test
    void badInputGivesOneLineAndExitCode2(@TempDir Path dir) {
        String err = stderrOf(() -> assertEquals(2, Main.run("forward", "--model", dir.resolve("nope").toString(),
                "--inputs", "x", "--out", "y")));
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("error: "), err);
        err = stderrOf(() -> assertEquals(2, Main.run("sample", "--bogus")));
        assertTrue(err.contains("Unrecognized option: --bogus"), err);
        err = stderrOf(() -> assertEquals(2, Main.run("info", "--preset", "huge")));
        assertTrue(err.contains("unknown preset 'huge'"), err);
        err = stderrOf(() -> assertEquals(2, Main.run("frobnicate")));
        assertTrue(err.contains("unknown command"), err);
        err = stderrOf(() -> assertEquals(2, Main.run("info", "--preset", dir.resolve("missing.yaml").toString())));
        assertTrue(err.contains("config file not found"), err);
        err = stderrOf(() -> assertEquals(2, Main.run("bench", "train-step", "--warmup", "some")));
        assertTrue(err.contains("--warmup needs a whole number or 'auto'"), err);
    }

    /**
     * The tokenizer's throughput is measured by {@code bench tokenize}, not by a test: here only
     * that it tokenizes the bench prompts (the token count names the work) and reports its figures.
     */
    @Test
    void benchTokenizeCountsTheTokensItTimes() {
        Path vocabulary = TINY_CLIP.resolve("model");
        String out = stdoutOf(() -> assertEquals(0, Main.run("bench", "tokenize", "--clip", vocabulary.toString(),
                "--warmup", "0", "--reps", "1")));
        dev.t2i.tokenizer.ClipTokenizer tokenizer = dev.t2i.tokenizer.ClipTokenizer.load(vocabulary);
        long tokens = 0;
        for (String p : SampleBench.prompts(64)) {
            tokens += tokenizer.tokenize(p).eosIndex() + 1;
        }
        assertEquals(772, tokens, "the 64 bench prompts' tokens in the committed fixture's vocabulary");
        String expected = "tokenize_tokens " + tokens + " tokens";
        assertTrue(out.lines().anyMatch(expected::equals), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("tokenize_prompts_per_s [0-9.]+ prompts/s")), out);
        String err = stderrOf(() -> assertEquals(2, Main.run("bench", "tokenize")));
        assertTrue(err.contains("bench tokenize needs --clip"), err);
    }

    @Test
    void helpWorksDespiteRequiredOptions() {
        String out = stdoutOf(() -> assertEquals(0, Main.run("cfg-sweep", "--help")));
        assertTrue(out.contains("usage: t2i cfg-sweep"), out);
    }

    @Test
    void demoTrainsSamplesAndScores(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("demo");
        String out = stdoutOf(() -> assertEquals(0, Main.run("demo", "--out", run.toString(), "--steps", "6",
                "--images", "200", "--samples", "1", "--sample-steps", "2", "--batch", "8")));
        assertTrue(out.contains("adherence_seen "), out);
        assertTrue(out.strip().lines().reduce((a, b) -> b).orElse("").startsWith("adherence_heldout "), out);
        for (String f : new String[] {"samples.png", "loss.png", "metrics.csv", "run.json"}) {
            assertTrue(Files.exists(run.resolve(f)), f);
        }
        BufferedImage grid = ImageIO.read(run.resolve("samples.png").toFile());
        assertTrue(grid.getWidth() > 16 && grid.getHeight() > 18 * 16 / 2, grid.getWidth() + "x" + grid.getHeight());

        // the same run folder samples through the sample command, with EMA weights; the untrained
        // text encoder's model warns about a prompt that is none of its training captions
        Path png = dir.resolve("s.png");
        String warned = stderrOf(() -> assertEquals(0, Main.run("sample", "--model", run.toString(), "--prompt",
                "a red circle", "--prompt", "a blue squares", "--steps", "2", "--out", png.toString())));
        assertFalse(warned.contains("'a red circle' is not"), warned);
        assertTrue(warned.contains("warning: prompt 'a blue squares' is not one of the 15 captions")
                && warned.contains("the nearest caption is 'a blue square'"), warned);
        String info = stdoutOf(() -> assertEquals(0, Main.run("info", "--model", run.toString())));
        assertTrue(info.contains("trained on 15 captions:") && info.contains("\n  a red circle"), info);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(2 * 16 * 6 + 4 * 3, img.getWidth(), "two 96-pixel tiles and gaps");
        assertEquals(0, Main.run("cfg-sweep", "--model", run.toString(), "--prompt", "a red circle", "--scales",
                "1,4", "--n", "2", "--steps", "2", "--out", dir.resolve("sweep.png").toString()));
        assertEquals(0, Main.run("attention", "--model", run.toString(), "--prompt", "a red circle", "--steps", "2",
                "--out", dir.resolve("att.png").toString()));
        assertTrue(Files.size(dir.resolve("att.png")) > 0);

        // a second demo into the same folder must not overwrite it; --resume continues (here: only re-scores)
        String err = stderrOf(() -> assertEquals(2, Main.run("demo", "--out", run.toString(), "--steps", "6")));
        assertTrue(err.contains("already has checkpoints; pass --resume"), err);
        String[] resumedLog = new String[1];
        String again = stdoutOf(() -> resumedLog[0] = stderrOf(() -> assertEquals(0, Main.run("demo", "--out",
                run.toString(), "--resume", "--images", "200", "--samples", "1", "--sample-steps", "2", "--cfg", "2"))));
        assertTrue(resumedLog[0].contains("resuming " + run + " at step 6 of 6"), resumedLog[0]);
        assertTrue(again.contains("shapes detected (prompt: circle square triangle none)"), again);
        assertTrue(again.strip().lines().reduce((a, b) -> b).orElse("").startsWith("adherence_heldout "), again);
    }

    static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buf.toString();
    }

    static String stdoutOf(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }
}
