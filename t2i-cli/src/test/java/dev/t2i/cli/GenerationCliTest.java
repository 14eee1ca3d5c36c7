package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.GenerationParameters;
import dev.t2i.api.TinyBundles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sample --from / --init-image, info --image and generate-batch through the command line. */
class GenerationCliTest {
    @TempDir
    static Path dir;
    static String bundle;

    @BeforeAll
    static void makeModel() {
        bundle = TinyBundles.bundle(dir, 52).toString();
    }

    /** Runs a command, returning its exit code, standard output and standard error. */
    static String[] run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8),
                    e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void sampleFromAPngMakesTheSameBytesAndInfoPrintsItsParameters(@TempDir Path tmp) throws Exception {
        Path four = tmp.resolve("four");
        assertEquals("0", run("sample", "--model", bundle, "--prompt", "a red circle", "--n", "4", "--seed", "100",
                "--steps", "3", "--negative", "a blue square", "--separate", "--out", four.toString())[0]);
        Path one = tmp.resolve("one");
        assertEquals("0", run("sample", "--model", bundle, "--prompt", "a red circle", "--seed", "103", "--steps", "3",
                "--negative", "a blue square", "--separate", "--out", one.toString())[0]);
        assertArrayEquals(Files.readAllBytes(four.resolve("image-003.png")), Files.readAllBytes(one.resolve(
                "image-000.png")), "--seed 100 --n 4, image 3 == --seed 103 --n 1");
        Path again = tmp.resolve("again.png");
        assertEquals("0", run("sample", "--model", bundle, "--from", four.resolve("image-002.png").toString(), "--out",
                again.toString())[0]);
        assertArrayEquals(Files.readAllBytes(four.resolve("image-002.png")), Files.readAllBytes(again),
                "sample --from regenerates the same PNG, bit for bit");
        String[] info = run("info", "--image", again.toString());
        assertEquals("0", info[0]);
        assertTrue(info[1].startsWith("a red circle\nNegative prompt: a blue square\nSteps: 3, Sampler: Euler, CFG scale:"
                + " 3, Seed: 102, Size: 8x8, Model hash: "), info[1]);
        assertTrue(info[1].contains("\"seed\":102"), info[1]);
    }

    @Test
    void aGuidanceIntervalGivenOnTheCommandLineTravelsInThePngAndBack(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("limited.png");
        assertEquals("0", run("sample", "--model", bundle, "--prompt", "a red circle", "--steps", "4", "--cfg", "4",
                "--cfg-interval", "0.3,0.8", "--out", png.toString())[0]);
        String[] info = run("info", "--image", png.toString());
        assertTrue(info[1].contains("CFG scale: 4, CFG interval: 0.3-0.8,"), info[1]);
        Path again = tmp.resolve("again.png");
        assertEquals("0", run("sample", "--model", bundle, "--from", png.toString(), "--out", again.toString())[0]);
        assertArrayEquals(Files.readAllBytes(png), Files.readAllBytes(again), "--from keeps the interval");
        String[] bad = run("sample", "--model", bundle, "--prompt", "x", "--cfg-interval", "0.8", "--out",
                tmp.resolve("bad.png").toString());
        assertTrue(!bad[0].equals("0"), "exit code " + bad[0]);
        assertTrue(bad[2].contains("give two times from,to"), bad[2]);
    }

    @Test
    void aSingleImageWrittenWithOutCarriesItsParametersLikeSeparate(@TempDir Path tmp) throws Exception {
        Path single = tmp.resolve("a.png");
        assertEquals("0", run("sample", "--model", bundle, "--prompt", "a photo of a cat", "--seed", "5", "--steps",
                "3", "--cfg", "4", "--out", single.toString())[0]);
        Path separate = tmp.resolve("sep");
        assertEquals("0", run("sample", "--model", bundle, "--prompt", "a photo of a cat", "--seed", "5", "--steps",
                "3", "--cfg", "4", "--separate", "--out", separate.toString())[0]);
        assertArrayEquals(Files.readAllBytes(separate.resolve("image-000.png")), Files.readAllBytes(single),
                "--out FILE for one image writes what --separate writes: the image, parameters inside");
        GenerationParameters p = GenerationParameters.fromPng(single);
        assertEquals("a photo of a cat", p.prompt());
        assertEquals(5L, p.seed());
        assertEquals(8, javax.imageio.ImageIO.read(single.toFile()).getWidth(), "the image at its own size");
        Path again = tmp.resolve("again.png");
        assertEquals("0", run("sample", "--model", bundle, "--from", single.toString(), "--out", again.toString())[0]);
        assertArrayEquals(Files.readAllBytes(single), Files.readAllBytes(again));
    }

    @Test
    void aGridCarriesItsSharedParametersAndEachCellsPromptAndSeed(@TempDir Path tmp) throws Exception {
        Path grid = tmp.resolve("grid.png");
        assertEquals("0", run("sample", "--model", bundle, "--prompt", "a red circle", "--prompt", "a blue square",
                "--n", "2", "--seed", "40", "--steps", "3", "--cfg", "4", "--out", grid.toString())[0]);
        String[] info = run("info", "--image", grid.toString());
        assertEquals("0", info[0], info[2]);
        assertTrue(info[1].startsWith("Grid: 4 images, 2 columns\nSteps: 3, Sampler: Euler, CFG scale: 4, Size: 8x8,"),
                info[1]);
        assertTrue(info[1].contains("\nCell 1: Seed: 40, Prompt: a red circle\nCell 2: Seed: 41, Prompt: a red circle\n"
                + "Cell 3: Seed: 42, Prompt: a blue square\nCell 4: Seed: 43, Prompt: a blue square\n"), info[1]);
        var parsed = dev.t2i.api.GridParameters.fromPngTexts(dev.t2i.image.PngText.read(Files.readAllBytes(grid)));
        assertEquals(2, parsed.columns());

        // a cell's parameters make that cell's image again, as one PNG
        Path cell = tmp.resolve("cell.png");
        Files.write(cell, parsed.cell(2).png(new java.awt.image.BufferedImage(8, 8,
                java.awt.image.BufferedImage.TYPE_INT_RGB)));
        Path again = tmp.resolve("again.png");
        assertEquals("0", run("sample", "--model", bundle, "--from", cell.toString(), "--out", again.toString())[0]);
        Path separate = tmp.resolve("sep");
        assertEquals("0", run("sample", "--model", bundle, "--prompt", "a red circle", "--prompt", "a blue square",
                "--n", "2", "--seed", "40", "--steps", "3", "--cfg", "4", "--separate", "--out", separate.toString())[0]);
        assertArrayEquals(Files.readAllBytes(separate.resolve("image-002.png")), Files.readAllBytes(again));

        String[] refused = run("sample", "--model", bundle, "--from", grid.toString(), "--out", tmp.resolve("x.png")
                .toString());
        assertEquals("2", refused[0]);
        assertEquals(1, refused[2].strip().lines().count(), refused[2]);
        assertTrue(refused[2].contains("is a grid of 4 images; --from takes one image"), refused[2]);
    }

    @Test
    void initImageAtStrengthZeroIsTheInputAndTheStrengthIsRecorded(@TempDir Path tmp) throws Exception {
        Path src = tmp.resolve("src");
        run("sample", "--model", bundle, "--prompt", "a yellow square", "--seed", "1", "--separate", "--out",
                src.toString());
        Path init = src.resolve("image-000.png");
        Path zero = tmp.resolve("zero");
        assertEquals("0", run("sample", "--model", bundle, "--prompt", "a red circle", "--init-image", init.toString(),
                "--strength", "0", "--separate", "--out", zero.toString())[0]);
        dev.t2i.api.ImageAssertions.assertSamePixels(javax.imageio.ImageIO.read(init.toFile()),
                javax.imageio.ImageIO.read(zero.resolve("image-000.png").toFile()), "strength 0");
        Path half = tmp.resolve("half");
        run("sample", "--model", bundle, "--prompt", "a red circle", "--init-image", init.toString(), "--strength",
                "0.5", "--seed", "4", "--separate", "--out", half.toString());
        GenerationParameters p = GenerationParameters.fromPng(half.resolve("image-000.png"));
        assertEquals(0.5, p.strength());
        String[] missing = run("sample", "--model", bundle, "--from", half.resolve("image-000.png").toString(), "--out",
                tmp.resolve("x.png").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[2].contains("--init-image"), missing[2]);
        Path again = tmp.resolve("again.png");
        assertEquals("0", run("sample", "--model", bundle, "--from", half.resolve("image-000.png").toString(),
                "--init-image", init.toString(), "--out", again.toString())[0]);
        assertArrayEquals(Files.readAllBytes(half.resolve("image-000.png")), Files.readAllBytes(again));
        String[] bad = run("sample", "--model", bundle, "--prompt", "x", "--strength", "0.5", "--out",
                tmp.resolve("y.png").toString());
        assertTrue(!bad[0].equals("0"), "exit code " + bad[0]);
        assertTrue(bad[2].contains("--strength needs --init-image"), bad[2]);
    }

    @Test
    void generateBatchWritesAManifestAndAResumeSkipsFinishedRows(@TempDir Path tmp) throws Exception {
        Path prompts = tmp.resolve("prompts.jsonl");
        Files.writeString(prompts, String.join("\n",
                "{\"prompt\": \"a red circle\"}",
                "# comments and blank lines are skipped",
                "",
                "{\"prompt\": \"a blue square\", \"seed\": 7, \"n\": 2, \"cfg\": 2.0}",
                "{\"prompt\": \"a green triangle\", \"steps\": 2, \"negative\": \"a red circle\"}") + "\n");
        Path out = tmp.resolve("batch");
        String[] first = run("generate-batch", "--model", bundle, "--prompts", prompts.toString(), "--out",
                out.toString(), "--steps", "3");
        assertEquals("0", first[0], first[2]);
        assertTrue(first[2].contains("3 lines: 0 done before, 3 to generate (4 images)"), first[2]);
        List<String> files = List.of("row-00000-0.png", "row-00001-0.png", "row-00001-1.png", "row-00002-0.png");
        for (String f : files) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        assertEquals(List.of(0L, 7L, 8L, 2000L), files.stream().map(f -> GenerationParameters.fromPng(out.resolve(f))
                .seed()).toList());
        assertEquals(2, GenerationParameters.fromPng(out.resolve("row-00002-0.png")).steps());
        List<String> manifest = Files.readAllLines(out.resolve("manifest.jsonl"));
        assertEquals(3, manifest.size());
        assertTrue(manifest.get(1).contains("\"seeds\":[7,8]"), manifest.get(1));
        byte[] lastRow = Files.readAllBytes(out.resolve("row-00002-0.png"));

        // an interruption after row 1: row 2's image and manifest line are gone, a torn line is left
        Files.delete(out.resolve("row-00002-0.png"));
        Files.write(out.resolve("manifest.jsonl"), (manifest.get(0) + "\n" + manifest.get(1) + "\n{\"row\": 2, \"pro")
                .getBytes(StandardCharsets.UTF_8));
        FileTime kept = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(out.resolve("row-00001-1.png"), kept);
        String[] second = run("generate-batch", "--model", bundle, "--prompts", prompts.toString(), "--out",
                out.toString(), "--steps", "3");
        assertEquals("0", second[0], second[2]);
        assertTrue(second[2].contains("3 lines: 2 done before, 1 to generate (1 images)"), second[2]);
        assertEquals(kept, Files.getLastModifiedTime(out.resolve("row-00001-1.png")), "finished rows are not redone");
        assertArrayEquals(lastRow, Files.readAllBytes(out.resolve("row-00002-0.png")), "the rest is reproduced exactly");
        String[] third = run("generate-batch", "--model", bundle, "--prompts", prompts.toString(), "--out",
                out.toString(), "--steps", "3");
        assertTrue(third[2].contains("3 lines: 3 done before, 0 to generate"), third[2]);

        Files.writeString(prompts, "{\"prompt\": \"x\", \"cfg\": \"high\"}\n");
        String[] cfg = run("generate-batch", "--model", bundle, "--prompts", prompts.toString(), "--out",
                out.toString());
        assertEquals("2", cfg[0]);
        assertTrue(cfg[2].contains("prompts.jsonl line 1: \"cfg\" must be a number"), cfg[2]);
        Files.writeString(prompts, "{\"prompt\": \"x\", \"colour\": 1}\n");
        String[] bad = run("generate-batch", "--model", bundle, "--prompts", prompts.toString(), "--out",
                out.toString());
        assertTrue(!bad[0].equals("0"), "exit code " + bad[0]);
        assertTrue(bad[2].contains("prompts.jsonl line 1: unknown field 'colour'"), bad[2]);
        assertFalse(bad[2].contains("Exception"), bad[2]);
    }
}
