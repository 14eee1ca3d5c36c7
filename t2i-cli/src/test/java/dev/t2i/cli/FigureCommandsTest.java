package dev.t2i.cli;

import static dev.t2i.cli.CliTest.stdoutOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.TinyBundles;
import dev.t2i.image.AttentionFigure;
import dev.t2i.image.ImageGrid;
import dev.t2i.sampling.SampleGrids;
import dev.t2i.train.LoadedRun;
import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The figures of sample, cfg-sweep, attention and similarity: layouts, titles and labels. */
class FigureCommandsTest {
    @TempDir
    static Path dir;
    static Path bundle;

    @BeforeAll
    static void bundleATinyModel() {
        bundle = TinyBundles.bundle(dir, 21);
    }

    private static Dimension sizeOf(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        return new Dimension(image.getWidth(), image.getHeight());
    }

    @Test
    void sampleGridsPutEachPromptOnItsOwnRow() throws IOException {
        Path png = dir.resolve("three-by-four.png");
        assertEquals(0, Main.run("sample", "--model", bundle.toString(), "--prompt", "a red circle", "--prompt",
                "a blue square", "--prompt", "a yellow triangle", "--n", "4", "--steps", "1", "--out", png.toString()));
        // 3 prompts × 4 images: 4 columns and 3 rows, not 8 columns that mix prompts across rows
        assertEquals(ImageGrid.size(12, 8, 8, 4, SampleGrids.scale(8), true), sizeOf(png));
        assertEquals(4, SampleCommand.columns(12, 4));
        assertEquals(3, SampleCommand.columns(3, 1));
        assertEquals(8, SampleCommand.columns(20, 1));
    }

    @Test
    void classModelGridsNameTheirClasses(@TempDir Path run) throws IOException {
        Files.writeString(run.resolve("run.json"), "{\"class_names\": [\"airplane\", \"automobile\"]}");
        List<String> names = LoadedRun.recordedClassNames(run);
        assertEquals(List.of("airplane", "automobile"), names);
        assertEquals(List.of("airplane", "automobile"), LoadedRun.recordedClassNames(run.resolve("checkpoints")
                .resolve("step-00000005.t2i")), "a checkpoint finds its run's names");
        assertEquals("automobile", SampleGrids.className(1, names));
        assertEquals("class 7", SampleGrids.className(7, names), "a label outside the names keeps its number");
        assertNull(LoadedRun.recordedClassNames(dir), "no run.json, no names");
    }

    @Test
    void cfgSweepHasATitleNamingThePrompt() throws IOException {
        Path png = dir.resolve("sweep.png");
        assertEquals(0, Main.run("cfg-sweep", "--model", bundle.toString(), "--prompt", "a red circle", "--scales",
                "1,4", "--n", "2", "--steps", "1", "--out", png.toString()));
        assertEquals(ImageGrid.size(4, 8, 8, 2, SampleGrids.scale(8), true, true), sizeOf(png));
        String title = CfgSweepCommand.title("a red circle", new dev.t2i.sampling.SamplingOptions(20, 7.5, 0,
                dev.t2i.sampling.Sampler.parse("euler"), 2, null));
        assertTrue(title.contains("\"a red circle\"") && title.contains("20 euler steps"), title);

        // the grid records each cell's guidance scale and seed, and a cell's parameters make its image
        dev.t2i.api.GridParameters grid = dev.t2i.api.GridParameters.fromPngTexts(
                dev.t2i.image.PngText.read(java.nio.file.Files.readAllBytes(png)));
        assertEquals(List.of(1.0, 1.0, 4.0, 4.0), grid.cells().stream().map(c -> c.cfgScale()).toList());
        assertEquals(grid.cells().get(0).seed() + 1, grid.cells().get(3).seed(), "one seed per column");
        String text = grid.parametersText();
        assertTrue(text.startsWith("Grid: 4 images, 2 columns\nSteps: 1, Sampler: "), text);
        assertFalse(text.lines().skip(1).findFirst().orElseThrow().contains("CFG scale"), "no shared scale: " + text);
        assertTrue(text.contains("\nCell 3: Seed: " + grid.cells().get(2).seed() + ", CFG scale: 4, Prompt: a red circle"),
                text);
        assertEquals(4.0, grid.cell(3).cfgScale());
    }

    @Test
    void attentionDrawsOneImageTilePerPromptToken() throws IOException {
        Path png = dir.resolve("attention.png");
        String out = stdoutOf(() -> assertEquals(0, Main.run("attention", "--model", bundle.toString(), "--prompt",
                "a red circle", "--steps", "2", "--out", png.toString())));
        assertTrue(out.contains("12 tokens"), out); // byte-level: <start>, a, r e d, c i r c l e, <end>
        AttentionFigure.Layout layout = AttentionFigure.Layout.of(1 + 12, 8);
        assertEquals(new Dimension(layout.width(), layout.height()), sizeOf(png));
        assertEquals("<start>", AttentionCommand.label("<|startoftext|>"));
        assertEquals("\"red\"", AttentionCommand.label("red</w>"));
        assertEquals("<end>", AttentionCommand.label("<|endoftext|>"));
    }

    @Test
    void similarityShowsTheEmptyPromptAsQuotes() {
        Path png = dir.resolve("similarity.png");
        String out = stdoutOf(() -> assertEquals(0, Main.run("similarity", "--clip", "random:3", "--out",
                png.toString(), "a red circle", "")));
        List<String> rows = out.lines().toList();
        assertTrue(rows.get(1).startsWith("\"\" "), out);
        assertEquals("\"\"", SimilarityCommand.label(""));
        assertEquals("a cat", SimilarityCommand.label("a cat"));
    }
}
