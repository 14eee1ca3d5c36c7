package dev.t2i.cli;

import static dev.t2i.cli.CliTest.stderrOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors that named the wrong problem: each now names the real one and the fix. */
class ErrorMessagesTest {
    @TempDir
    static Path dir;

    @Test
    void aClipConfigFileAsksForItsFolder() {
        Path config = CliTest.TINY_CLIP.resolve("model").resolve("config.json");
        String err = stderrOf(() -> assertEquals(2, Main.run("encode", "--clip", config.toString(), "--prompts",
                CliTest.TINY_CLIP.resolve("prompts.json").toString(), "--out", dir.resolve("e.safetensors").toString())));
        assertTrue(err.contains("--clip wants the Hugging Face CLIP folder, not its file config.json: pass ")
                && err.strip().endsWith("model"), err);
        assertTrue(!err.contains("corrupt"), err);
    }

    @Test
    void resumingWhereThereIsNoRunSaysSo() {
        Path missing = dir.resolve("missing-dir");
        String err = stderrOf(() -> assertEquals(2, Main.run("train", "--data", "shapes", "--preset", "tiny",
                "--resume", "--out", missing.toString())));
        assertTrue(err.contains("there is no run to resume in " + missing), err);
        assertTrue(!err.contains("model file not found"), err);
    }
}
