package dev.t2i.spark;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.SmallDisk;
import dev.t2i.T2iException;
import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TinyBundles;
import dev.t2i.cli.Main;
import dev.t2i.io.DiskFullException;
import dev.t2i.sampling.GuidanceInterval;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job on Spark in local mode ({@code local[2]}: one executor, two cores, in this JVM)
 * over a tiny bundle: its images are the API's and {@code t2i generate-batch}'s, they do not
 * depend on partitioning or on the table's format, and a rerun remakes exactly what is missing.
 */
class SparkGenerateTest {
    /** Rows with every kind of setting: seeds given and not, several images, per-row steps, cfg, negative, sampler. */
    static final String JSONL = """
            {"prompt": "a red circle"}
            {"prompt": "a blue square", "seed": 7, "n": 2, "cfg": 2.0}
            {"prompt": "a green triangle", "steps": 3, "negative": "a red circle", "cfg_interval": [0.2, 0.8]}
            {"prompt": "two yellow stars", "seed": 123456789012, "sampler": "heun", "steps": 2}
            {"prompt": "a red circle", "n": 3}
            {"prompt": "a small purple cat", "cfg": 1.0}
            """;
    static final String CSV = """
            prompt,seed,n,steps,cfg,negative,sampler,cfg_interval
            a red circle,,,,,,,
            a blue square,7,2,,2.0,,,
            a green triangle,,,3,,a red circle,,"0.2,0.8"
            two yellow stars,123456789012,,2,,,heun,
            a red circle,,3,,,,,
            a small purple cat,,,,1.0,,,
            """;
    static final int IMAGES = 9;

    @TempDir
    static Path dir;
    static Path bundle;
    static Path jsonl;
    static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        bundle = TinyBundles.bundle(dir, 41);
        jsonl = Files.writeString(dir.resolve("prompts.jsonl"), JSONL);
        spark = SparkSession.builder().master("local[2]").appName("t2i-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.warehouse.dir", dir.resolve("warehouse").toUri().toString())
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        ExecutorModel.closeAll();
    }

    static JobOptions options(Path prompts, Path out, int partitions) {
        return new JobOptions(bundle.toString(), prompts.toString(), PromptTable.format(prompts.toString(), null),
                out.toString(), partitions, 5, 1, null, null, null, null, "jsonl", 4).validate();
    }

    /** The PNGs of a folder by name. */
    static Map<String, byte[]> pngs(Path out) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".png")).toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    static void assertSameFiles(Map<String, byte[]> expected, Map<String, byte[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": file names");
        for (String name : expected.keySet()) {
            assertArrayEquals(expected.get(name), actual.get(name), what + ": " + name);
        }
    }

    static List<JsonNode> manifest(Path out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> s = Files.list(out.resolve(SparkGenerate.MANIFEST))) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    lines.add(json.readTree(line));
                }
            }
        }
        return lines;
    }

    static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    @Test
    void imagesAreTheApisAndDoNotDependOnPartitioningOrFormat() throws IOException {
        Path one = dir.resolve("one-partition");
        Path three = dir.resolve("three-partitions");
        Path csv = dir.resolve("from-csv");
        Path parquet = dir.resolve("from-parquet");
        SparkGenerate.Summary s1 = SparkGenerate.run(spark, options(jsonl, one, 1));
        SparkGenerate.Summary s3 = SparkGenerate.run(spark, options(jsonl, three, 3));
        assertEquals(new SparkGenerate.Summary(6, 6, 0, IMAGES, IMAGES, 0).toString().split(";")[0],
                s1.toString().split(";")[0]);
        assertEquals(6, s3.generatedRows());
        assertEquals(1, ExecutorModel.loadCount(), "the bundle is loaded once per executor, not per task or row");

        Map<String, byte[]> expected = pngs(one);
        assertEquals(IMAGES, expected.size());
        assertSameFiles(expected, pngs(three), "1 vs 3 partitions");

        Path csvFile = Files.writeString(dir.resolve("prompts.csv"), CSV);
        SparkGenerate.run(spark, options(csvFile, csv, 2));
        assertSameFiles(expected, pngs(csv), "CSV vs JSONL");

        Path parquetTable = dir.resolve("prompts.parquet");
        PromptTable.read(spark, jsonl.toString(), "jsonl").coalesce(1).write().parquet(parquetTable.toString());
        SparkGenerate.run(spark, options(parquetTable, parquet, 2));
        assertSameFiles(expected, pngs(parquet), "Parquet vs JSONL");

        // the same rows through the API, one request at a time: the same PNG bytes, metadata included
        List<PromptRow> rows = PromptTable.rows(PromptTable.read(spark, jsonl.toString(), "jsonl"),
                options(jsonl, one, 0)).collect();
        assertEquals(6, rows.size());
        try (T2iModel model = T2iModel.load(bundle)) {
            for (PromptRow row : rows) {
                GenerationResult r = model.generate(row.request());
                for (int k = 0; k < row.n(); k++) {
                    assertArrayEquals(r.png(k), expected.get(row.file(k)), "API vs Spark: " + row.file(k));
                }
            }
        }
        GenerationParameters p = GenerationParameters.fromPng(expected.get("row-00003-0.png"));
        assertEquals("two yellow stars", p.prompt());
        assertEquals(123456789012L, p.seed());
        assertEquals(2, p.steps());
        assertEquals("heun", p.sampler());
        assertEquals(new GuidanceInterval(0.2, 0.8),
                GenerationParameters.fromPng(expected.get("row-00002-0.png")).cfgInterval(), "a row's cfg_interval");
        assertEquals(5 + 1000 * 4 + 2, GenerationParameters.fromPng(expected.get("row-00004-2.png")).seed(),
                "a row without a seed gets base + 1000 x row, image k + k");

        List<JsonNode> m = manifest(one);
        assertEquals(6, m.size());
        for (int r = 0; r < 6; r++) {
            assertEquals(r, m.get(r).get("row").asInt(), "manifest sorted by row");
            assertEquals("generated", m.get(r).get("status").asText());
        }
        assertEquals("[7,8]", m.get(1).get("seeds").toString());
        assertEquals("row-00001-1.png", m.get(1).get("files").get(1).asText());
        assertEquals("[0.2,0.8]", m.get(2).get("cfg_interval").toString());
        assertEquals("[0.0,1.0]", m.get(1).get("cfg_interval").toString(), "the bundle's default: every step");
    }

    @Test
    void imagesAreThoseOfGenerateBatch() throws IOException {
        Path spark = dir.resolve("spark-for-cli");
        Path cli = dir.resolve("cli");
        SparkGenerate.run(SparkGenerateTest.spark, options(jsonl, spark, 2));
        // the command line's defaults are the bundle's, as the job's are without options
        assertEquals(0, Main.run("generate-batch", "--model", bundle.toString(), "--prompts", jsonl.toString(),
                "--out", cli.toString(), "--seed", "5"));
        Map<String, byte[]> fromSpark = pngs(spark);
        Map<String, byte[]> fromCli = pngs(cli);
        assertEquals(fromCli.keySet(), fromSpark.keySet());
        for (String name : fromCli.keySet()) {
            assertSamePixels(decode(fromCli.get(name)), decode(fromSpark.get(name)), name);
            GenerationParameters a = GenerationParameters.fromPng(fromCli.get(name));
            GenerationParameters b = GenerationParameters.fromPng(fromSpark.get(name));
            assertEquals(a.seed(), b.seed(), name);
            assertEquals(a.prompt(), b.prompt(), name);
            assertEquals(a.steps(), b.steps(), name);
            assertEquals(a.cfgScale(), b.cfgScale(), name);
            assertEquals(a.modelHash(), b.modelHash(), name);
        }
    }

    @Test
    void aRerunRemakesExactlyWhatIsMissingOrWrong() throws IOException {
        Path out = dir.resolve("rerun");
        SparkGenerate.run(spark, options(jsonl, out, 2));
        Map<String, byte[]> first = pngs(out);
        // a stamp far in the past on every file: any file written again gets a new one
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        for (String name : first.keySet()) {
            Files.setLastModifiedTime(out.resolve(name), old);
        }
        Files.delete(out.resolve("row-00001-1.png"));   // one image of a row of two
        Files.delete(out.resolve("row-00005-0.png"));   // a whole row
        Files.write(out.resolve("row-00000-0.png"), first.get("row-00002-0.png")); // another row's image
        Files.writeString(out.resolve("row-00003-0.png"), "torn");                 // not a PNG

        SparkGenerate.Summary s = SparkGenerate.run(spark, options(jsonl, out, 3));
        assertEquals(4, s.generatedRows(), s.toString());
        assertEquals(2, s.existingRows(), s.toString());
        assertEquals(2 + 1 + 1 + 1, s.generatedImages(), "rows 0, 1 (2 images), 3 and 5");
        assertSameFiles(first, pngs(out), "after the rerun");
        List<String> rewritten = new ArrayList<>();
        for (String name : first.keySet()) {
            if (!Files.getLastModifiedTime(out.resolve(name)).equals(old)) {
                rewritten.add(name);
            }
        }
        assertEquals(List.of("row-00000-0.png", "row-00001-0.png", "row-00001-1.png", "row-00003-0.png",
                "row-00005-0.png"), rewritten, "only the rows with a missing or wrong image are written again");
        try (Stream<Path> s2 = Files.list(out)) {
            assertTrue(s2.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")
                    || p.getFileName().toString().endsWith(".crc")), "no temporary or checksum files left");
        }
        List<JsonNode> m = manifest(out);
        assertEquals(6, m.size());
        assertEquals("existing", m.get(2).get("status").asText());
        assertEquals("generated", m.get(5).get("status").asText());

        SparkGenerate.Summary again = SparkGenerate.run(spark, options(jsonl, out, 1));
        assertEquals(0, again.generatedImages(), "a third run has nothing to do");
    }

    @Test
    void aFullDiskEndsTheJobInOneErrorAndARerunMakesTheMissingImages() throws IOException {
        Path reference = dir.resolve("reference-for-full-disk");
        SparkGenerate.run(spark, options(jsonl, reference, 1));
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 512)) {
            Path out = disk.root().resolve("batch");
            // room for a few of the nine images
            disk.leave(3);
            // a SparkException, which Scala throws undeclared
            Exception e = assertThrows(Exception.class,
                    () -> SparkGenerate.run(spark, options(jsonl, out, 1)));
            DiskFullException full = DiskFullException.find(e);
            assertNotNull(full, "Spark's failure carries the task's: " + e);
            assertTrue(full.getMessage().startsWith("disk full while writing "), full.getMessage());
            assertTrue(full.getMessage().endsWith(" (No space left on device): free space and run the job again; it"
                    + " makes only the missing images"), full.getMessage());
            try (Stream<Path> s = Files.list(out)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
            }
            Map<String, byte[]> expected = pngs(reference);
            Map<String, byte[]> before = pngs(out);
            assertTrue(before.size() < IMAGES, "the disk filled before the end: " + before.keySet());
            for (var f : before.entrySet()) {
                assertArrayEquals(expected.get(f.getKey()), f.getValue(), "a whole image: " + f.getKey());
            }

            disk.makeRoom();
            SparkGenerate.Summary s = SparkGenerate.run(spark, options(jsonl, out, 2));
            // a row of several images is made whole again where one of them is missing
            assertTrue(s.generatedImages() >= IMAGES - before.size() && s.existingRows() > 0, s.toString());
            assertSameFiles(expected, pngs(out), "after the rerun");
            assertEquals(6, manifest(out).size());
        }
    }

    @Test
    void unknownColumnsAndBadValuesAreRefusedByName() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"prompt\": \"a\", \"colour\": \"red\"}\n");
        T2iException e = assertThrows(T2iException.class,
                () -> SparkGenerate.run(spark, options(bad, dir.resolve("bad-out"), 1)));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
        assertThrows(T2iException.class, () -> JobOptions.parse(new String[] {"--model", "m.t2i"}));
        assertThrows(T2iException.class, () -> PromptTable.format("prompts.txt", null));
        assertEquals("parquet", PromptTable.format("s3a://bucket/prompts.parquet/", null));

        Path interval = Files.writeString(dir.resolve("bad-interval.jsonl"),
                "{\"prompt\": \"a\"}\n{\"prompt\": \"b\", \"cfg_interval\": [0.9, 0.1]}\n");
        Exception e2 = assertThrows(Exception.class,
                () -> SparkGenerate.run(spark, options(interval, dir.resolve("bad-interval-out"), 1)));
        String message = rootMessage(e2);
        assertTrue(message.contains("row 1") && message.contains("0 <= from <= to <= 1"), message);
        assertEquals(new GuidanceInterval(0.2, 0.85), PromptTable.interval(" [0.2, 0.85] "));
        assertEquals(new GuidanceInterval(0, 1), PromptTable.interval("0,1"));
        JobOptions o = JobOptions.parse(new String[] {"--model", "m.t2i", "--prompts", "p.jsonl", "--out", "o",
            "--cfg-interval", "0.2,0.85"});
        assertEquals(new GuidanceInterval(0.2, 0.85), o.cfgInterval());
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
