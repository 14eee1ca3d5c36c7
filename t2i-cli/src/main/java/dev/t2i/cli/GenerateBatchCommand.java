package dev.t2i.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.t2i.T2iException;
import dev.t2i.api.ModelIdentity;
import dev.t2i.image.Images;
import dev.t2i.io.AtomicFiles;
import dev.t2i.io.DiskFullException;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code t2i generate-batch}: every line of a JSONL file of prompts becomes PNGs (parameters
 * inside) plus a line in {@code manifest.jsonl}. A line's images are written before its manifest
 * line, so after an interruption the same command skips the finished lines and continues.
 */
final class GenerateBatchCommand implements Command {
    /** A row without a seed gets --seed + this × its row number, so rows never share noise. */
    static final long ROW_SEED_STRIDE = 1000;
    static final String MANIFEST = "manifest.jsonl";
    private static final List<String> FIELDS = List.of("prompt", "seed", "n", "steps", "cfg",
            "cfg_interval", "guide_scale", "negative", "sampler");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return "generate-batch";
    }

    @Override
    public String summary() {
        return "images for every line of a JSONL prompt file, with a manifest; re-running continues";
    }

    @Override
    public String usage() {
        return "--model PATH --prompts prompts.jsonl --out DIR [--steps N] [--cfg W] [--seed S] [--n N]";
    }

    @Override
    public Options options() {
        return SampleCommand.common()
                .addOption(Args.required("prompts", "FILE", "JSONL, one object a line: {\"prompt\": ..., optional"
                        + " \"seed\", \"n\", \"steps\", \"cfg\", \"cfg_interval\" ([0.2, 0.85]),"
                        + " \"negative\", \"sampler\"}"))
                .addOption(Args.required("out", "DIR", "folder for the PNGs and manifest.jsonl"))
                .addOption(Args.value("cfg", "W", "guidance scale for lines without \"cfg\""))
                .addOption(Args.value("n", "N", "images per line for lines without \"n\" (default 1)"));
    }

    /** One line of the prompt file with the defaults filled in. */
    record Row(int index, String prompt, SamplingOptions options) {
        /** The file name of image k of this row. */
        String file(int k) {
            return String.format(Locale.ROOT, "row-%05d-%d.png", index, k);
        }
    }

    @Override
    public int run(CommandLine cmd) throws IOException {
        try {
            return generate(cmd);
        } catch (IOException | T2iException e) {
            // images and manifest lines are whole or absent, so a rerun picks up where this one stopped
            DiskFullException full = DiskFullException.find(e);
            if (full == null) {
                throw e;
            }
            throw full.withAdvice("free space and run the same command again; it skips the rows already done");
        }
    }

    private int generate(CommandLine cmd) throws IOException {
        Path out = Path.of(cmd.getOptionValue("out"));
        SampleCommand.Loaded loaded = SampleCommand.load(cmd);
        ImageGenerator gen = loaded.generator();
        if (!gen.model().config().isText()) {
            throw new T2iException("generate-batch needs a text-conditional model");
        }
        SamplingOptions defaults = SampleCommand.sampling(cmd, loaded.defaults());
        List<Row> rows = read(Path.of(cmd.getOptionValue("prompts")), defaults);
        loaded.warnAboutPrompts(rows.stream().map(Row::prompt).toList());
        Files.createDirectories(out);
        Map<Integer, JsonNode> done = finished(out, rows);
        ModelIdentity identity = SampleSupport.identity(cmd, gen);
        int size = gen.model().config().imgSize();
        int todo = rows.size() - done.size();
        long images = rows.stream().filter(r -> !done.containsKey(r.index())).mapToLong(r -> r.options()
                .imagesPerPrompt()).sum();
        System.err.printf("%d lines: %d done before, %d to generate (%d images)%n", rows.size(), done.size(), todo,
                images);
        LineProgress progress = new LineProgress(todo);
        for (Row row : rows) {
            if (done.containsKey(row.index())) {
                continue;
            }
            long t0 = System.nanoTime();
            INDArray tensor = SampleSupport.stoppable(monitor -> gen.generate(List.of(row.prompt()), null,
                    row.options(), null, 1.0, monitor), dev.t2i.sampling.StepMonitor.NONE);
            if (tensor == null) {
                System.err.println("stopped at line " + (row.index() + 1) + "; run the same command again to continue");
                return 130;
            }
            List<BufferedImage> pics = Images.toBufferedImages(tensor);
            SamplingOptions o = row.options();
            ObjectNode line = JSON.createObjectNode().put("row", row.index()).put("prompt", row.prompt());
            var seeds = line.putArray("seeds");
            var files = line.putArray("files");
            for (int k = 0; k < pics.size(); k++) {
                SampleSupport.writePng(out.resolve(row.file(k)), pics.get(k),
                        SampleSupport.parameters(row.prompt(), o, o.seed() + k, size, identity, null, 1.0));
                seeds.add(o.seed() + k);
                files.add(row.file(k));
            }
            line.put("steps", o.steps()).put("cfg", o.cfgScale());
            if (!o.cfgInterval().full()) {
                line.putArray("cfg_interval").add(o.cfgInterval().from()).add(o.cfgInterval().to());
            }
            if (o.guideScale() != 1.0) {
                line.put("guide_scale", o.guideScale());
            }
            line
                    .put("sampler", o.sampler().id())
                    .put("negative", o.negativePrompt()).put("model", identity.name())
                    .put("model_hash", identity.hash());
            // a manifest line the disk had no room for is cut off again, never left half written
            AtomicFiles.appendLine(out.resolve(MANIFEST), JSON.writeValueAsString(line));
            progress.row(row, pics.size(), (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf("%d lines in %s (%s): %d generated now, %d were done%n", rows.size(), out, MANIFEST, todo,
                done.size());
        return 0;
    }

    /** Parses the prompt file, checking every line before any image is made. */
    static List<Row> read(Path file, SamplingOptions defaults) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new T2iException("prompt file not found: " + file + " (give a JSONL file, one {\"prompt\": ...} a"
                    + " line)");
        }
        List<Row> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String where = file.getFileName() + " line " + (i + 1);
            JsonNode n;
            try {
                n = JSON.readTree(text);
            } catch (IOException e) {
                throw new T2iException(where + " is not JSON (" + e.getMessage().lines().findFirst().orElse("")
                        + "); write one object a line, e.g. {\"prompt\": \"a red circle\", \"seed\": 1}");
            }
            if (n == null || !n.isObject() || !n.path("prompt").isTextual()) {
                throw new T2iException(where + " needs an object with a \"prompt\" string");
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.contains(f)) {
                    throw new T2iException(where + ": unknown field '" + f + "' (known: " + String.join(", ", FIELDS)
                            + ")");
                }
            }
            int row = rows.size();
            try {
                SamplingOptions o = new SamplingOptions(
                        n.has("steps") ? whole(n, "steps", where) : defaults.steps(),
                        n.has("cfg") ? number(n, "cfg", where) : defaults.cfgScale(),
                        n.has("seed") ? seed(n, where) : defaults.seed() + ROW_SEED_STRIDE * row,
                        n.has("sampler") ? Sampler.parse(n.get("sampler").asText()) : defaults.sampler(),
                        n.has("n") ? whole(n, "n", where) : defaults.imagesPerPrompt(),
                        n.has("negative") ? n.get("negative").asText() : defaults.negativePrompt(),
                        n.has("cfg_interval") ? interval(n.get("cfg_interval")) : defaults.cfgInterval(),
                        n.has("guide_scale") ? number(n, "guide_scale", where) : defaults.guideScale()).validate();
                rows.add(new Row(row, n.get("prompt").asText(), o));
            } catch (T2iException e) {
                throw new T2iException(where + ": " + e.getMessage());
            }
        }
        if (rows.isEmpty()) {
            throw new T2iException(file + " has no prompts (one {\"prompt\": ...} object a line)");
        }
        return rows;
    }

    private static double number(JsonNode n, String field, String where) {
        if (!n.get(field).isNumber()) {
            throw new T2iException(where + ": \"" + field + "\" must be a number, got " + n.get(field));
        }
        return n.get(field).asDouble();
    }

    private static long seed(JsonNode n, String where) {
        if (!n.get("seed").isIntegralNumber() || !n.get("seed").canConvertToLong()) {
            throw new T2iException(where + ": \"seed\" must be a whole number, got " + n.get("seed"));
        }
        return n.get("seed").asLong();
    }

    private static int whole(JsonNode n, String field, String where) {
        if (!n.get(field).canConvertToInt() || !n.get(field).isIntegralNumber()) {
            throw new T2iException(where + ": \"" + field + "\" must be a whole number, got " + n.get(field));
        }
        return n.get(field).asInt();
    }

    /**
     * The rows the manifest lists as done, with the same prompt and seed as now and all files
     * present; anything else (a torn last line, a deleted image, an edited prompt) is made again.
     */
    static Map<Integer, JsonNode> finished(Path out, List<Row> rows) throws IOException {
        Map<Integer, JsonNode> done = new HashMap<>();
        Path manifest = out.resolve(MANIFEST);
        if (!Files.exists(manifest)) {
            return done;
        }
        for (String text : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
            JsonNode n;
            try {
                n = JSON.readTree(text);
            } catch (IOException e) {
                continue; // a line cut short by a crash: its row is made again
            }
            if (n == null || !n.has("row")) {
                continue;
            }
            int r = n.get("row").asInt();
            if (r < 0 || r >= rows.size()) {
                continue;
            }
            Row row = rows.get(r);
            boolean same = row.prompt().equals(n.path("prompt").asText())
                    && n.path("seeds").path(0).asLong() == row.options().seed()
                    && n.path("files").size() == row.options().imagesPerPrompt();
            boolean files = true;
            for (JsonNode f : n.path("files")) {
                files &= Files.isRegularFile(out.resolve(f.asText()));
            }
            if (same && files) {
                done.put(r, n);
            } else {
                done.remove(r);
            }
        }
        return done;
    }

    /**
     * Progress through the prompt file: lines done out of those to do (a line is one request, not a
     * generation batch), with an ETA: a bar on a console, a line per row otherwise.
     */
    static final class LineProgress {
        private final int total;
        private final boolean terminal = System.console() != null;
        private final long start = System.nanoTime();
        private int done;

        LineProgress(int total) {
            this.total = total;
        }

        void row(Row row, int images, double seconds) {
            done++;
            double elapsed = (System.nanoTime() - start) / 1e9;
            double eta = elapsed / done * (total - done);
            if (terminal) {
                int width = 30;
                int filled = width * done / Math.max(1, total);
                System.err.printf(Locale.ROOT, "\r[%s%s] %d/%d lines, ETA %dm%02ds ", "=".repeat(filled),
                        " ".repeat(width - filled), done, total, (long) eta / 60, (long) eta % 60);
                if (done == total) {
                    System.err.println();
                }
            } else {
                System.err.printf(Locale.ROOT, "line %d/%d (row %d): %d images, seeds %d..%d, %.1f s, ETA %dm%02ds%n",
                        done, total, row.index(), images, row.options().seed(), row.options().seed() + images - 1,
                        seconds, (long) eta / 60, (long) eta % 60);
            }
        }
    }

    /** A line's {@code cfg_interval}: {@code [from, to]} or the command line's {@code "from,to"}. */
    private static GuidanceInterval interval(JsonNode v) {
        return v.isTextual() ? GuidanceInterval.parse(v.asText()) : GuidanceInterval.fromJson(v);
    }

}
