package dev.t2i.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.t2i.T2iException;
import dev.t2i.eval.WilsonInterval;
import dev.t2i.image.LinePlot;
import dev.t2i.io.ModelArchive;
import dev.t2i.sampling.GuidanceInterval;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code t2i plot-evaluations}: the figures of several {@code evaluate} reports against what
 * differs between them: the guidance scale (the trade-off between drawing the class and keeping
 * the real images' variety) or the training minutes (what more time buys). Reports sampled with
 * different guidance intervals ({@code evaluate --cfg-interval}) become one curve each. Writes PNG
 * plots and prints the numbers as a Markdown table.
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

    /** One report's figures; {@code interval} is its guidance interval ({@link GuidanceInterval#FULL}: every step). */
    record Point(double x, double accuracy, double worst, String worstClass, double fd, double floor,
            double sensitivityMin, double sensitivityMean, GuidanceInterval interval, WilsonInterval accuracyRange) {
        double fdRatio() {
            return fd / floor;
        }

        /** The class accuracy's 95 % range as "low–high", or "—" for a report from before ranges. */
        String rangeText() {
            return accuracyRange == null ? "—" : accuracyRange.toString();
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
        points.sort(Comparator.comparing(Point::interval, CURVE_ORDER).thenComparingDouble(Point::x));
        String axis = by.equals("cfg") ? "guidance scale (cfg)" : "training minutes";
        String prefix = cmd.getOptionValue("out");
        Path parent = Path.of(prefix).toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        // one curve per guidance interval, the reference's (every step) first
        Map<GuidanceInterval, List<Point>> curves = new TreeMap<>(CURVE_ORDER);
        for (Point p : points) {
            curves.computeIfAbsent(p.interval(), k -> new ArrayList<>()).add(p);
        }
        boolean several = curves.size() > 1;
        List<LinePlot.Series> accuracy = new ArrayList<>();
        List<LinePlot.Series> distance = new ArrayList<>();
        List<LinePlot.Series> tradeoff = new ArrayList<>();
        for (var curve : curves.entrySet()) {
            List<Point> c = curve.getValue();
            String label = several ? " (" + intervalWords(curve.getKey()) + ")" : "";
            double[] x = c.stream().mapToDouble(Point::x).toArray();
            accuracy.add(new LinePlot.Series("class accuracy" + label, x, c.stream().mapToDouble(Point::accuracy)
                    .toArray()));
            accuracy.add(new LinePlot.Series("worst class" + label, x, c.stream().mapToDouble(Point::worst).toArray()));
            distance.add(new LinePlot.Series("Fréchet distance ÷ its real-data floor" + label, x,
                    c.stream().mapToDouble(Point::fdRatio).toArray()));
            tradeoff.add(new LinePlot.Series(String.format(Locale.ROOT, "cfg %s to %s", num(x[0]),
                    num(x[x.length - 1])) + label, c.stream().mapToDouble(Point::fdRatio).toArray(),
                    c.stream().mapToDouble(Point::accuracy).toArray()));
        }
        LinePlot.write(Path.of(prefix + "-accuracy.png"), accuracy, "samples in the prompted class, by the judge",
                axis, "share of samples");
        LinePlot.write(Path.of(prefix + "-fd.png"), distance,
                "distance to the real test images in the judge's features", axis, "FD / floor");
        if (by.equals("cfg")) {
            LinePlot.write(Path.of(prefix + "-tradeoff.png"), tradeoff,
                    "class accuracy against distance, one point per guidance scale", "FD / floor",
                    "class accuracy");
        }
        System.out.println(table(points, by));
        return 0;
    }

    /** Curves in this order: guided at every step (the reference's) first, then by their times. */
    private static final Comparator<GuidanceInterval> CURVE_ORDER = Comparator
            .comparing((GuidanceInterval i) -> !i.full()).thenComparingDouble(GuidanceInterval::from)
            .thenComparingDouble(GuidanceInterval::to);

    private static String intervalWords(GuidanceInterval interval) {
        return interval.full() ? "guided at every step" : "guided for t in " + interval.text('–');
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
        JsonNode interval = r.path("sampling").path("cfg_interval");
        GuidanceInterval times;
        try {
            // reports written before intervals existed, or guided at every step, record none
            times = interval.isMissingNode() ? GuidanceInterval.FULL : GuidanceInterval.fromJson(interval);
        } catch (T2iException e) {
            throw new T2iException(file + ": " + e.getMessage() + "; evaluate again");
        }
        return new Point(xNode.asDouble(), r.get("class_accuracy").asDouble(),
                r.path("worst_class").path("accuracy").asDouble(), r.path("worst_class").path("class").asText(),
                r.get("overall").get("fd").asDouble(), r.get("overall").get("fd_floor").asDouble(),
                r.path("prompt_sensitivity").path("min_off_diagonal").asDouble(Double.NaN),
                r.path("prompt_sensitivity").path("mean_off_diagonal").asDouble(Double.NaN), times,
                range(r.path("class_accuracy_interval")));
    }

    /** A report's [low, high] accuracy range; null for reports written before ranges existed. */
    private static WilsonInterval range(JsonNode node) {
        if (!node.isArray() || node.size() != 2 || !node.get(0).isNumber() || !node.get(1).isNumber()) {
            return null;
        }
        return new WilsonInterval(node.get(0).asDouble(), node.get(1).asDouble());
    }

    /**
     * The Markdown table; with a "t guided" column where any report was guided at fewer times than
     * all, and the accuracy's 95 % range where any report holds one.
     */
    static String table(List<Point> points, String by) {
        boolean intervals = points.stream().anyMatch(p -> !p.interval().full());
        boolean ranges = points.stream().anyMatch(p -> p.accuracyRange() != null);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "| %s |%s class accuracy |%s worst class | FD | floor | FD ÷ floor | prompt sensitivity min / mean |%n"
                        + "|---:|%s---:|%s---|---:|---:|---:|---:|%n", by, intervals ? " t guided |" : "",
                ranges ? " 95 % range |" : "", intervals ? "---|" : "", ranges ? "---|" : ""));
        for (Point p : points) {
            sb.append(String.format(Locale.ROOT, "| %s |%s %.3f |%s %s %.2f | %.2f | %.2f | %.1f | %.2f / %.2f |%n",
                    num(p.x()), intervals ? " " + p.interval().text('–') + " |" : "", p.accuracy(),
                    ranges ? " " + p.rangeText() + " |" : "", p.worstClass(), p.worst(), p.fd(), p.floor(),
                    p.fdRatio(), p.sensitivityMin(), p.sensitivityMean()));
        }
        return sb.toString().stripTrailing();
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
