package dev.t2i.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.t2i.T2iException;
import dev.t2i.image.LinePlot;
import dev.t2i.io.ModelArchive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code t2i plot-evaluations}: the figures of several {@code evaluate} reports against what
 * differs between them: the guidance scale (the trade-off between drawing the class and keeping
 * the real images' variety) or the training minutes (what more time buys). Writes PNG plots and
 * prints the numbers as a Markdown table.
 */
final class PlotEvaluationsCommand implements Command {
    @Override
    public String name() {
        return "plot-evaluations";
    }

    @Override
    public String summary() {
        return "class accuracy and Fréchet distance of several 'evaluate' reports against cfg or training minutes";
    }

    @Override
    public String usage() {
        return "--reports DIR,DIR,... --by cfg|minutes --out PREFIX";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.required("reports", "LIST", "comma-separated 'evaluate' output folders or report.json files"))
                .addOption(Args.required("by", "AXIS", "cfg (the guidance scale of each report) or minutes (the"
                        + " training minutes of each report's model)"))
                .addOption(Args.required("out", "PREFIX", "PREFIX-accuracy.png and PREFIX-fd.png (and"
                        + " PREFIX-tradeoff.png with --by cfg)"));
    }

    /** One report's figures. */
    record Point(double x, double accuracy, double worst, String worstClass, double fd, double floor,
            double sensitivityMin, double sensitivityMean) {
        double fdRatio() {
            return fd / floor;
        }
    }

    @Override
    public int run(CommandLine cmd) throws Exception {
        String by = cmd.getOptionValue("by");
        if (!by.equals("cfg") && !by.equals("minutes")) {
            throw new T2iException("--by must be cfg or minutes, got '" + by + "'");
        }
        List<Point> points = new ArrayList<>();
        for (String r : cmd.getOptionValue("reports").split(",")) {
            points.add(read(Path.of(r.strip()), by));
        }
        points.sort(Comparator.comparingDouble(Point::x));
        String axis = by.equals("cfg") ? "guidance scale (cfg)" : "training minutes";
        double[] x = points.stream().mapToDouble(Point::x).toArray();
        String prefix = cmd.getOptionValue("out");
        Path parent = Path.of(prefix).toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        LinePlot.write(Path.of(prefix + "-accuracy.png"), List.of(
                new LinePlot.Series("class accuracy", x, points.stream().mapToDouble(Point::accuracy).toArray()),
                new LinePlot.Series("worst class", x, points.stream().mapToDouble(Point::worst).toArray())),
                "samples in the prompted class, by the judge", axis, "share of samples");
        LinePlot.write(Path.of(prefix + "-fd.png"), List.of(
                new LinePlot.Series("Fréchet distance ÷ its real-data floor", x,
                        points.stream().mapToDouble(Point::fdRatio).toArray())),
                "distance to the real test images in the judge's features", axis, "FD / floor");
        if (by.equals("cfg")) {
            LinePlot.write(Path.of(prefix + "-tradeoff.png"), List.of(new LinePlot.Series(
                    String.format(Locale.ROOT, "cfg %s to %s", num(x[0]), num(x[x.length - 1])),
                    points.stream().mapToDouble(Point::fdRatio).toArray(),
                    points.stream().mapToDouble(Point::accuracy).toArray())),
                    "class accuracy against distance, one point per guidance scale", "FD / floor",
                    "class accuracy");
        }
        System.out.println(table(points, by));
        return 0;
    }

    static Point read(Path reportOrDir, String by) {
        Path file = Files.isDirectory(reportOrDir) ? reportOrDir.resolve("report.json") : reportOrDir;
        JsonNode r;
        try {
            r = ModelArchive.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new T2iException("cannot read the report " + file + ": " + e.getMessage()
                    + " (give 't2i evaluate' output folders)");
        }
        JsonNode xNode = by.equals("cfg") ? r.path("sampling").path("cfg") : r.path("training").path("minutes");
        if (!xNode.isNumber() || !r.path("class_accuracy").isNumber() || !r.path("overall").path("fd").isNumber()) {
            throw new T2iException(file + " is not a report of this version's 't2i evaluate'" + (by.equals("minutes")
                    ? " on a run folder or checkpoint (bundles record no training minutes)" : "")
                    + "; evaluate again");
        }
        return new Point(xNode.asDouble(), r.get("class_accuracy").asDouble(),
                r.path("worst_class").path("accuracy").asDouble(), r.path("worst_class").path("class").asText(),
                r.get("overall").get("fd").asDouble(), r.get("overall").get("fd_floor").asDouble(),
                r.path("prompt_sensitivity").path("min_off_diagonal").asDouble(Double.NaN),
                r.path("prompt_sensitivity").path("mean_off_diagonal").asDouble(Double.NaN));
    }

    static String table(List<Point> points, String by) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "| %s | class accuracy | worst class | FD | floor | FD ÷ floor | prompt sensitivity min / mean |%n"
                        + "|---:|---:|---|---:|---:|---:|---:|%n", by));
        for (Point p : points) {
            sb.append(String.format(Locale.ROOT, "| %s | %.3f | %s %.2f | %.2f | %.2f | %.1f | %.2f / %.2f |%n",
                    num(p.x()), p.accuracy(), p.worstClass(), p.worst(), p.fd(), p.floor(), p.fdRatio(),
                    p.sensitivityMin(), p.sensitivityMean()));
        }
        return sb.toString().stripTrailing();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
