package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.TinyBundles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signal to a running {@code t2i sample} (TERM here; Ctrl-C's INT runs the same shutdown hook)
 * stops it after the current step, with no output file.
 */
class SampleInterruptTest {
    @Test
    void aSignalStopsSamplingAfterTheCurrentStep(@TempDir Path dir) throws Exception {
        Path bundle = TinyBundles.bundle(dir, 61);
        Path out = dir.resolve("out.png");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "sample", "--model", bundle.toString(),
                "--prompt", "a red circle", "--steps", "1000", "--out", out.toString());
        Path logFile = dir.resolve("log.txt");
        // to a file, not a pipe: destroy() closes the pipes, and the last lines are the ones to read
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        String log = "";
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!log.contains("sampling: 1000 steps") && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                log = Files.readString(logFile, StandardCharsets.UTF_8);
            }
            assertTrue(p.isAlive(), "sampling had not started or had ended: " + log);
            long t0 = System.nanoTime();
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running a minute after the signal");
            log = Files.readString(logFile, StandardCharsets.UTF_8);
            System.out.printf("stopped %.0f ms after the signal: %s%n", (System.nanoTime() - t0) / 1e6,
                    log.lines().filter(l -> l.startsWith("stopped")).findFirst().orElse("?"));
        } finally {
            p.destroyForcibly();
        }
        // the JVM ends a signalled run with 128 + the signal: 143 for TERM here, 130 for Ctrl-C's INT
        assertEquals(143, p.exitValue(), log);
        assertTrue(log.contains("stopped at step "), log);
        assertFalse(Files.exists(out), "nothing is written");
    }
}
