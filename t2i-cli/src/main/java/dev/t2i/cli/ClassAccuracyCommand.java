package dev.t2i.cli;

import dev.t2i.eval.ClassAccuracy;
import dev.t2i.eval.ImageClassifier;
import dev.t2i.image.Heatmap;
import dev.t2i.image.ImageGrid;
import dev.t2i.image.Images;
import dev.t2i.io.AtomicFiles;
import dev.t2i.sampling.SampleGrids;
import dev.t2i.sampling.SamplingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code t2i class-accuracy}: how often a model's samples show the class their prompt asked for. */
final class ClassAccuracyCommand implements Command {
    @Override
    public String name() {
        return "class-accuracy";
    }

    @Override
    public String summary() {
        return "sample every class prompt, classify the images, print class_accuracy (confusion matrix, grid)";
    }

    @Override
    public String usage() {
        return "--model RUN|FILE --classifier FILE [--per-class N] [--steps N] [--cfg W] --out DIR";
    }

    @Override
    public Options options() {
        return SampleCommand.common()
                .addOption(Args.required("classifier", "FILE", "classifier from 't2i train-classifier'"))
                .addOption(Args.value("cfg", "W", "guidance scale (default: the run's or bundle's)"))
                .addOption(Args.value("per-class", "N", "images per class (default 100)"))
                .addOption(templateOption())
                .addOption(Args.required("out", "DIR", "folder for confusion.png, samples.png and report.json"));
    }

    @Override
    public int run(CommandLine cmd) throws Exception {
        SampleCommand.Loaded loaded = SampleCommand.load(cmd);
        ImageClassifier classifier = ImageClassifier.load(Path.of(cmd.getOptionValue("classifier")));
        SamplingOptions opts = SampleCommand.sampling(cmd, loaded.defaults());
        int perClass = Args.intValue(cmd, "per-class", 100);
        String template = cmd.getOptionValue("template", ClassAccuracy.DEFAULT_TEMPLATE);
        Path out = Path.of(cmd.getOptionValue("out"));
        Files.createDirectories(out);
        int total = perClass * classifier.classNames().size();
        long t0 = System.nanoTime();
        ClassAccuracy.Report r = ClassAccuracy.measure(loaded.generator(), classifier, template, perClass, opts, 10,
                done -> System.err.printf(Locale.ROOT, "\r%d/%d images", done, total));
        double secs = (System.nanoTime() - t0) / 1e9;
        System.err.println();

        writeFigures(out, r, loaded.generator().model().config().imgSize());

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", cmd.getOptionValue("model"));
        report.put("classifier", cmd.getOptionValue("classifier"));
        report.put("template", template);
        report.put("per_class", perClass);
        report.put("sampling", Map.of("steps", opts.steps(), "cfg", opts.cfgScale(), "sampler",
                opts.sampler().id(), "seed", opts.seed()));
        report.put("class_accuracy", r.accuracy());
        report.put("class_accuracy_interval", r.interval().asList());
        report.put("per_class_accuracy", perClassAccuracy(r));
        report.put("confusion", r.confusion());
        report.put("seconds", secs);
        AtomicFiles.writeJson(out.resolve("report.json"), report);

        System.out.print(r.table());
        System.out.printf(Locale.ROOT, "%d images (%d per class, %d %s steps, cfg %.2f) in %.0f s; %s%n", total,
                perClass, opts.steps(), opts.sampler().id(), opts.cfgScale(), secs, out);
        System.out.printf(Locale.ROOT, "class_accuracy %.4f (95 %% range %s)%n", r.accuracy(), r.interval());
        return 0;
    }

    /** --template, shared with evaluate: the class prompts, by default the data's own captions. */
    static org.apache.commons.cli.Option templateOption() {
        return Args.value("template", "TEXT", "prompt with {} for the class name and {a} for its article (default '"
                + ClassAccuracy.DEFAULT_TEMPLATE + "', the data's own captions)");
    }

    /** confusion.png (asked against classified) and samples.png (the kept images, each captioned with its verdict) in {@code out}. */
    static void writeFigures(Path out, ClassAccuracy.Report r, int imgSize) {
        List<String> names = r.classes();
        double[][] shares = new double[names.size()][names.size()];
        for (int c = 0; c < names.size(); c++) {
            for (int p = 0; p < names.size(); p++) {
                shares[c][p] = (double) r.confusion()[c][p] / r.perClass();
            }
        }
        Images.writePng(out.resolve("confusion.png"), Heatmap.render(shares, names, names,
                String.format(Locale.ROOT, "asked (rows) vs classified (columns): class accuracy %.3f", r.accuracy())));
        List<String> captions = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            for (int i = 0; i < r.shown(); i++) {
                int p = r.predictedShown()[c][i];
                captions.add(names.get(c) + (p == c ? " ✓" : " → " + names.get(p)));
            }
        }
        ImageGrid.write(out.resolve("samples.png"), Images.toBufferedImages(r.samples()), captions, r.shown(),
                SampleGrids.scale(imgSize));
    }

    /** Each class's accuracy by name, in the judge's order. */
    static Map<String, Double> perClassAccuracy(ClassAccuracy.Report r) {
        Map<String, Double> per = new LinkedHashMap<>();
        for (int c = 0; c < r.classes().size(); c++) {
            per.put(r.classes().get(c), r.accuracy(c));
        }
        return per;
    }
}
