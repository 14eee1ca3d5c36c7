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
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve("report.json"), String.format(Locale.ROOT, """
                {"sampling": {"cfg": %s, "steps": 20}, "training": {"step": 100, "minutes": %s},
                 "class_accuracy": %s, "worst_class": {"class": "dog", "accuracy": %s},
                 "overall": {"fd": %s, "fd_floor": 2.0},
                 "prompt_sensitivity": {"min_off_diagonal": 0.4, "mean_off_diagonal": 0.9}}
                """, cfg, minutes, acc, acc / 2, fd));
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
}
