package dev.t2i;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.InitImages;
import dev.t2i.api.TinyBundles;
import dev.t2i.bundle.Bundle;
import dev.t2i.data.sources.DatasetLoader;
import dev.t2i.io.Safetensors;
import dev.t2i.train.LoadedRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader of the project against the {@link HostileFiles} corpus: each input must be refused
 * with one clear line (a {@link T2iException}), or read when the damage left a valid file (a
 * flipped bit in weights); never a raw exception, an error such as OutOfMemoryError, or a hang.
 * The counts are printed and the outcome of each input is written to
 * {@code target/hostile-files.txt}.
 */
class HostileFilesTest {
    /** Longest a reader may take over one input. */
    private static final long LIMIT_SECONDS = 20;

    enum Outcome {
        /** Refused with a T2iException of one line. */
        CLEAR,
        /** Read without error (allowed only where the damage may leave a valid file). */
        ACCEPTED,
        /** Any other exception or error, or a T2iException whose message is not one clear line. */
        RAW,
        /** Still reading after {@link #LIMIT_SECONDS}. */
        HANG
    }

    @Test
    void everyReaderRefusesEveryHostileFileWithOneClearLine(@TempDir Path dir) throws Exception {
        HostileFiles corpus = new HostileFiles(dir.resolve("corpus"));
        Path bundle = TinyBundles.bundle(dir, 71);
        dev.t2i.cli.TinyRuns.runFolder(dir, 71);
        corpus.bundles(bundle);
        corpus.checkpoints(dir.resolve("run/checkpoints/step-00000005.t2i"));
        corpus.safetensors();
        corpus.tars();
        corpus.images();

        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            counts.put(o, 0);
        }
        List<String> report = new ArrayList<>();
        Map<String, String> details = new java.util.HashMap<>();
        List<String> failures = new ArrayList<>();
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hostile-file-reader");
            t.setDaemon(true);
            return t;
        });
        double slowest = 0;
        try {
            for (HostileFiles.Case c : corpus.cases()) {
                long t0 = System.nanoTime();
                Future<Object> f = reader.submit(() -> read(c));
                Outcome outcome;
                String detail;
                try {
                    f.get(LIMIT_SECONDS, TimeUnit.SECONDS);
                    outcome = Outcome.ACCEPTED;
                    detail = "read";
                } catch (TimeoutException e) {
                    f.cancel(true);
                    outcome = Outcome.HANG;
                    detail = "still reading after " + LIMIT_SECONDS + " s";
                    // the stuck thread keeps the executor: go on with a fresh one
                    reader.shutdownNow();
                    reader = Executors.newSingleThreadExecutor();
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    detail = cause.getClass().getSimpleName() + ": " + cause.getMessage();
                    outcome = clear(cause) ? Outcome.CLEAR : Outcome.RAW;
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                details.put(c.kind() + ": " + c.name(), detail);
                slowest = Math.max(slowest, secs);
                counts.merge(outcome, 1, Integer::sum);
                String line = String.format(Locale.ROOT, "%-7s %-11s %-55s %5.2f s  %s", outcome, c.kind(), c.name(),
                        secs, detail.replace('\n', '|'));
                report.add(line);
                if (outcome == Outcome.RAW || outcome == Outcome.HANG
                        || (outcome == Outcome.ACCEPTED && c.mustRefuse())) {
                    failures.add(line);
                }
            }
        } finally {
            reader.shutdownNow();
        }
        String summary = String.format(Locale.ROOT, "hostile files: %d tried, %d clear errors, %d read as valid,"
                + " %d raw exceptions, %d hangs (slowest %.2f s)", corpus.cases().size(), counts.get(Outcome.CLEAR),
                counts.get(Outcome.ACCEPTED), counts.get(Outcome.RAW), counts.get(Outcome.HANG), slowest);
        report.add(0, summary);
        Files.write(Path.of("target", "hostile-files.txt"), report, StandardCharsets.UTF_8);
        System.out.println(summary);
        failures.forEach(System.out::println);
        assertTrue(corpus.cases().size() > 250, "the corpus shrank to " + corpus.cases().size());
        assertEquals(List.of(), failures, "inputs not refused with one clear line (all in target/hostile-files.txt)");
        // the audit's cases of parts that disagree, each with what its message must say
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("bundle: DiT config 16x16 over the 8x8 graph",
                "config and graph disagree: the config says 3-channel 16x16 images, the graph takes [-1, 3, 8, 8]");
        expected.put("bundle: DiT config depth 3 over a 1-block graph", "config says depth 3, the parameters hold 1");
        expected.put("bundle: graph truncated, checksum updated", "graph 'dit.samediff' in the model file cannot be"
                + " loaded: its data is damaged");
        // zeros parse as an empty graph: the check of the graph against the config catches it
        expected.put("bundle: graph of zeros, checksum updated", "the graph takes no image input");
        expected.put("checkpoint: no graph", "lacks part 'dit.samediff'");
        expected.put("checkpoint: EMA weight of the wrong shape", "its EMA has '");
        expected.put("checkpoint: EMA weight as a scalar", "of shape [] but the weight is");
        expected.put("checkpoint: EMA with an unknown key", "its EMA has 'blocks.7.nothing', which is not a trainable"
                + " weight");
        expected.put("checkpoint: optimiser moment of the wrong shape", "its optimiser state has 'm.");
        expected.put("checkpoint: optimiser moment of integers", "of type LONG, not floating point");
        expected.put("safetensors: shape [2^32, 2^32] with 0 bytes", "has shape [4294967296, 4294967296], more F32"
                + " values than");
        expected.put("safetensors: shape [2^62] with 0 bytes", "has shape [4611686018427387904]");
        expected.put("safetensors: metadata of objects", "__metadata__ value 'k' must be a string");
        expected.put("tar: negative member size (base-256)", "negative member size");
        for (var e : expected.entrySet()) {
            String detail = details.get(e.getKey());
            assertTrue(detail != null && detail.contains(e.getValue()), e.getKey() + ": " + detail);
        }
        assertTrue(details.get("checkpoint: optimiser moment of the wrong shape").contains("cannot read checkpoint "),
                "the message names the file");
    }

    /** A T2iException whose message is one line that says something. */
    private static boolean clear(Throwable e) {
        String m = e.getMessage();
        return e instanceof T2iException && m != null && !m.isBlank() && !m.contains("\n") && !m.endsWith("null")
                && m.length() < 600;
    }

    /** The reader each kind of file has in the project, as the commands use it. */
    private static Object read(HostileFiles.Case c) {
        Path f = c.file();
        switch (c.kind()) {
            case "bundle" -> Bundle.read(f).release();
            case "checkpoint" -> LoadedRun.load(f).model().release();
            case "safetensors" -> Safetensors.readAll(f);
            case "tar" -> DatasetLoader.open(f.toString());
            case "image" -> InitImages.read(f);
            default -> throw new IllegalArgumentException(c.kind());
        }
        return c;
    }
}
