package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.t2i.api.TinyBundles;
import dev.t2i.eval.ImageClassifier;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** t2i evaluate on a tiny bundle, a tiny judge and a two-class image-folder data set. */
class EvaluateCommandTest {
    private static final ImageClassifier.Layout PLAIN = ImageClassifier.Layout.CONV_CONV_POOL;

    @Test
    void writesDistancesPerClassBesideTheirFloorAndPromptSensitivity(@TempDir Path dir) throws Exception {
        Path bundle = TinyBundles.bundle(dir, 81);
        Path data = dir.resolve("data");
        SplittableRandom rng = new SplittableRandom(5);
        for (String split : List.of("train", "test")) {
            for (String c : List.of("top", "bottom")) {
                Path folder = Files.createDirectories(data.resolve(split).resolve(c));
                for (int i = 0; i < 34; i++) {
                    ImageIO.write(half(c.equals("top"), rng), "png", folder.resolve(i + ".png").toFile());
                }
            }
        }
        Path judge = dir.resolve("judge.zip");
        ImageClassifier.create(List.of("bottom", "top"), 8, new ImageClassifier.Settings(PLAIN, 4, 1, 8, 1e-2, 7, 0))
                .save(judge);

        Path out = dir.resolve("eval");
        String[] r = GenerationCliTest.run("evaluate", "--model", bundle.toString(), "--classifier", judge.toString(),
                "--data", data.toString(), "--n", "66", "--steps", "2", "--seed", "3", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        JsonNode report = dev.t2i.io.ModelArchive.JSON.readTree(out.resolve("report.json").toFile());
        // more images than one sampling call takes per prompt (64): --n counts all of them
        assertEquals(66, report.get("images").asInt());
        assertEquals(33, report.get("per_class").asInt());
        assertEquals(68, report.get("test_images").asInt());
        JsonNode all = report.get("overall");
        // noise from an untrained model against two kinds of half-white images: far further than
        // real training images of those kinds are
        assertTrue(all.get("fd_floor").asDouble() >= 0, all.toString());
        assertTrue(all.get("fd").asDouble() > all.get("fd_floor").asDouble(), all.toString());
        assertTrue(all.get("kid").asDouble() > all.get("kid_floor").asDouble(), all.toString());
        for (String c : List.of("bottom", "top")) {
            JsonNode f = report.get("per_class_figures").get(c);
            assertTrue(f.get("fd").asDouble() > f.get("fd_floor").asDouble(), c + " " + f);
        }
        JsonNode table = report.get("prompt_sensitivity").get("table");
        assertEquals(2, table.size());
        assertEquals(0.0, table.get(0).get(0).asDouble(), 1e-12, "a class against itself");
        assertTrue(table.get(0).get(1).asDouble() > 0, table.toString());
        assertTrue(r[1].contains("FD floor"), r[1]);

        // class accuracy of the same images: the confusion counts them, the accuracies follow from it
        JsonNode confusion = report.get("confusion");
        double right = 0;
        double worst = 1;
        for (int c = 0; c < 2; c++) {
            assertEquals(33, confusion.get(c).get(0).asInt() + confusion.get(c).get(1).asInt(), "row " + c);
            double acc = confusion.get(c).get(c).asInt() / 33.0;
            assertEquals(acc, report.get("per_class_accuracy").get(List.of("bottom", "top").get(c)).asDouble(), 1e-12);
            right += confusion.get(c).get(c).asInt();
            worst = Math.min(worst, acc);
        }
        assertEquals(right / 66, report.get("class_accuracy").asDouble(), 1e-12);
        dev.t2i.eval.WilsonInterval range = dev.t2i.eval.WilsonInterval.of((long) right, 66);
        assertEquals(range.low(), report.get("class_accuracy_interval").get(0).asDouble(), 1e-12);
        assertEquals(range.high(), report.get("class_accuracy_interval").get(1).asDouble(), 1e-12);
        assertTrue(r[1].contains(String.format(java.util.Locale.ROOT, "class accuracy %.3f (95 %% range %s)",
                right / 66, range)), r[1]);
        assertEquals(worst, report.get("worst_class").get("accuracy").asDouble(), 1e-12);
        JsonNode sensitivity = report.get("prompt_sensitivity");
        assertTrue(sensitivity.get("min_off_diagonal").asDouble() > 0);
        assertEquals("bottom/top", sensitivity.get("weakest_pair").asText());
        double pair = table.get(0).get(1).asDouble();
        assertEquals(pair < 0.5 ? 1 : 0, sensitivity.get("pairs_below_half").asInt());
        assertTrue(r[1].contains(String.format(java.util.Locale.ROOT,
                "prompt sensitivity lowest bottom/top %.2f, mean %.2f, %d of 1 pairs below 0.5", pair, pair,
                pair < 0.5 ? 1 : 0)), r[1]);
        assertTrue(Files.size(out.resolve("samples.png")) > 0 && Files.size(out.resolve("confusion.png")) > 0);
        assertTrue(r[1].contains("most often mistaken for"), r[1]);

        String[] tooFew = GenerationCliTest.run("evaluate", "--model", bundle.toString(), "--classifier",
                judge.toString(), "--data", data.toString(), "--n", "3", "--out", out.toString());
        assertEquals("2", tooFew[0]);
        assertEquals("error: --n must give every class at least 2 images (at least 4), got 3", tooFew[2].strip());
    }

    /** An 8×8 image white in its top or bottom half, dark elsewhere, with a little noise. */
    private static BufferedImage half(boolean top, SplittableRandom rng) {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(20 + rng.nextInt(20), 20, 20));
        g.fillRect(0, 0, 8, 8);
        g.setColor(new Color(235 + rng.nextInt(20), 240, 240));
        g.fillRect(0, top ? 0 : 4, 8, 4);
        g.dispose();
        return img;
    }
}
