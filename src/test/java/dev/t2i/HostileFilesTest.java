package dev.t2i;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.InitImages;
import dev.t2i.api.TinyBundles;
import dev.t2i.bundle.Bundle;
import dev.t2i.data.DatasetLoader;
import dev.t2i.flow.TrainedModel;
import dev.t2i.io.Safetensors;
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
            case "checkpoint" -> TrainedModel.load(f).model().release();
            case "safetensors" -> Safetensors.readAll(f);
            case "tar" -> DatasetLoader.open(f.toString());
            case "image" -> InitImages.read(f);
            default -> throw new IllegalArgumentException(c.kind());
        }
        return c;
    }
}
