package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotEvaluationsCommandTest {
    private static Path report(Path dir, String name, double cfg, double minutes, double acc, double fd)
            throws Exception {
        return report(dir, name, cfg, minutes, acc, fd, "");
    }

    private static Path report(Path dir, String name, double cfg, double minutes, double acc, double fd,
            String intervalField) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve("report.json"), String.format(Locale.ROOT, """
                {"sampling": {"cfg": %s, "steps": 20%s}, "training": {"step": 100, "minutes": %s},
                 "class_accuracy": %s, "worst_class": {"class": "dog", "accuracy": %s},
                 "overall": {"fd": %s, "fd_floor": 2.0},
                 "prompt_sensitivity": {"min_off_diagonal": 0.4, "mean_off_diagonal": 0.9}}
                """, cfg, intervalField, minutes, acc, acc / 2, fd));
        return folder;
    }

    @Test
    void tabulatesAndPlotsTheReportsInOrderOfTheirAxis(@TempDir Path dir) throws Exception {
        Path a = report(dir, "cfg8", 8, 56, 0.8, 40);
        Path b = report(dir, "cfg1", 1, 56, 0.3, 10);
        Path c = report(dir, "cfg3", 3, 56, 0.6, 20);
        String[] r = GenerationCliTest.run("plot-evaluations", "--reports", a + "," + b + "," + c, "--by", "cfg",
                "--out", dir.resolve("fig/cfg").toString());
        assertEquals("0", r[0], r[2]);
        String[] rows = r[1].strip().split("\n");
        assertEquals(5, rows.length, r[1]);
        assertEquals("| 1 | 0.300 | dog 0.15 | 10.00 | 2.00 | 5.0 | 0.40 / 0.90 |", rows[2]);
        assertEquals("| 3 | 0.600 | dog 0.30 | 20.00 | 2.00 | 10.0 | 0.40 / 0.90 |", rows[3]);
        assertTrue(rows[4].startsWith("| 8 | 0.800 |"), rows[4]);
        for (String suffix : new String[] {"-accuracy.png", "-fd.png", "-tradeoff.png"}) {
            BufferedImage img = ImageIO.read(dir.resolve("fig/cfg" + suffix).toFile());
            assertEquals(800, img.getWidth(), suffix);
        }

        String[] bad = GenerationCliTest.run("plot-evaluations", "--reports", a.toString(), "--by", "steps",
                "--out", dir.resolve("x").toString());
        assertEquals("2", bad[0]);
        assertEquals("error: --by must be cfg or minutes, got 'steps'", bad[2].strip());
        Files.writeString(dir.resolve("old.json"), "{\"class_accuracy\": 0.5}");
        String[] old = GenerationCliTest.run("plot-evaluations", "--reports", dir.resolve("old.json").toString(),
                "--by", "minutes", "--out", dir.resolve("x").toString());
        assertEquals("2", old[0]);
        assertTrue(old[2].contains("is not a report of this version's 't2i evaluate' on a run folder"), old[2]);
    }

    @Test
    void reportsGuidedAtFewerTimesMakeACurveOfTheirOwn(@TempDir Path dir) throws Exception {
        Path full4 = report(dir, "full4", 4, 56, 0.77, 9.6, ", \"cfg_interval\": [0.0, 1.0]");
        Path old8 = report(dir, "old8", 8, 56, 0.70, 16);
        Path iv6 = report(dir, "iv6", 6, 56, 0.79, 6.4, ", \"cfg_interval\": [0.2, 0.85]");
        Path iv4 = report(dir, "iv4", 4, 56, 0.73, 6.0, ", \"cfg_interval\": [0.2, 0.85]");
        String[] r = GenerationCliTest.run("plot-evaluations", "--reports", iv6 + "," + full4 + "," + iv4 + "," + old8,
                "--by", "cfg", "--out", dir.resolve("fig/cfg").toString());
        assertEquals("0", r[0], r[2]);
        String[] rows = r[1].strip().split("\n");
        assertEquals("| cfg | t guided | class accuracy | worst class | FD | floor | FD ÷ floor | prompt sensitivity"
                + " min / mean |", rows[0]);
        assertEquals(6, rows.length, r[1]);
        assertTrue(rows[2].startsWith("| 4 | 0–1 | 0.770 |"), rows[2]);
        assertTrue(rows[3].startsWith("| 8 | 0–1 | 0.700 |"), "a report without an interval was guided at every step");
        assertTrue(rows[4].startsWith("| 4 | 0.2–0.85 | 0.730 |"), rows[4]);
        assertTrue(rows[5].startsWith("| 6 | 0.2–0.85 | 0.790 | dog 0.40 | 6.40 | 2.00 | 3.2 |"), rows[5]);
        assertEquals(800, ImageIO.read(dir.resolve("fig/cfg-tradeoff.png").toFile()).getWidth());
    }

    @Test
    void accuraciesComeWithTheirRangesWhereReportsHoldThem(@TempDir Path dir) throws Exception {
        Path ranged = report(dir, "new", 6, 56, 0.796, 16, "");
        String json = Files.readString(ranged.resolve("report.json"));
        Files.writeString(ranged.resolve("report.json"),
                json.replace("\"class_accuracy\":", "\"class_accuracy_interval\": [0.7697, 0.8204], \"class_accuracy\":"));
        Path old = report(dir, "old", 4, 56, 0.77, 9.6);
        String[] r = GenerationCliTest.run("plot-evaluations", "--reports", ranged + "," + old, "--by", "cfg",
                "--out", dir.resolve("fig/cfg").toString());
        assertEquals("0", r[0], r[2]);
        String[] rows = r[1].strip().split("\n");
        assertEquals("| cfg | class accuracy | 95 % range | worst class | FD | floor | FD ÷ floor | prompt sensitivity"
                + " min / mean |", rows[0]);
        assertEquals("|---:|---:|---|---|---:|---:|---:|---:|", rows[1]);
        assertEquals("| 4 | 0.770 | — | dog 0.39 | 9.60 | 2.00 | 4.8 | 0.40 / 0.90 |", rows[2], "older reports have none");
        assertEquals("| 6 | 0.796 | 0.770–0.820 | dog 0.40 | 16.00 | 2.00 | 8.0 | 0.40 / 0.90 |", rows[3]);
    }

}
