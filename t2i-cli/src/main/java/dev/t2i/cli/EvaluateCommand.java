package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import dev.t2i.data.sources.DatasetLoader;
import dev.t2i.eval.ClassAccuracy;
import dev.t2i.eval.FrechetDistance;
import dev.t2i.eval.ImageClassifier;
import dev.t2i.eval.KernelInceptionDistance;
import dev.t2i.eval.PromptSensitivity;
import dev.t2i.io.AtomicFiles;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SamplingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code t2i evaluate}: how close a model's samples are to the real images as a distribution:
 * Fréchet distance and KID in the judge's penultimate features against the real test split,
 * overall and per class, each beside its floor (the same figures for as many real training
 * images), how much the class prompt changes the image for one seed (prompt sensitivity), and
 * how many of the same images the judge puts in the prompted class (class accuracy).
 */
final class EvaluateCommand implements Command {
    /** Images generated per call: bounds the sampler's memory whatever N is. */
    private static final int IMAGES_PER_CALL = 25;

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "class accuracy, and Fréchet distance and KID to the real images in the judge's features beside"
                + " their floor, per class";
    }

    @Override
    public String usage() {
        return "--model RUN|FILE --classifier FILE --data SPEC [--n 1000] [--steps N] [--cfg W] --out DIR";
    }

    @Override
    public Options options() {
        return SampleCommand.common()
                .addOption(Args.required("classifier", "FILE", "the judge, from 't2i train-classifier'"))
                .addOption(Args.required("data", "SPEC", "the labelled data set with train and test splits"
                        + " (CIFAR-10's zip or folders)"))
                .addOption(Args.value("n", "N", "images generated, the same number per class (default 1000)"))
                .addOption(Args.value("cfg", "W", "guidance scale (default: the run's or bundle's)"))
                .addOption(ClassAccuracyCommand.templateOption())
                .addOption(Args.required("out", "DIR", "folder for report.json"));
    }

    @Override
    public int run(CommandLine cmd) throws Exception {
        SampleCommand.Loaded loaded = SampleCommand.load(cmd);
        ImageClassifier judge = ImageClassifier.load(Path.of(cmd.getOptionValue("classifier")));
        // --n is the number of images here, not images per prompt
        SamplingOptions opts = SampleCommand.sampling(cmd, loaded.defaults(), 1);
        List<String> classes = judge.classNames();
        int k = classes.size();
        int n = Args.intValue(cmd, "n", 1000);
        if (n < 2 * k) {
            throw new T2iException("--n must give every class at least 2 images (at least " + 2 * k + "), got " + n);
        }
        int perClass = n / k;
        if (perClass * k != n) {
            System.err.printf(Locale.ROOT, "warning: --n %d is not a multiple of %d classes; using %d (%d per class)%n",
                    n, k, perClass * k, perClass);
        }
        String template = cmd.getOptionValue("template", ClassAccuracy.DEFAULT_TEMPLATE);
        List<String> prompts = ClassAccuracy.prompts(template, classes);
        Path out = Path.of(cmd.getOptionValue("out"));
        Files.createDirectories(out);
        String spec = cmd.getOptionValue("data");
        CaptionedImages test = DatasetLoader.open(spec, DatasetOptions.defaults().withSplit("test"));
        CaptionedImages train = DatasetLoader.open(spec, DatasetOptions.defaults().withSplit("train"));
        int[] testClass = classIndices(test, classes);
        int[] trainClass = classIndices(train, classes);

        long t0 = System.nanoTime();
        INDArray generated = generate(loaded.generator(), prompts, perClass, opts);
        double sampleSecs = (System.nanoTime() - t0) / 1e9;
        INDArray genFeatures = judge.features(generated);
        INDArray testFeatures = features(judge, test, IntStream.range(0, test.size()).toArray());
        // the floor: as many real training images, class by class, as were generated
        int[] floorRows = new int[perClass * k];
        for (int c = 0; c < k; c++) {
            int[] rows = rowsOf(trainClass, c);
            if (rows.length < perClass) {
                throw new T2iException("the training split has " + rows.length + " images of " + classes.get(c)
                        + ", fewer than the " + perClass + " per class asked for (lower --n)");
            }
            System.arraycopy(rows, 0, floorRows, c * perClass, perClass);
        }
        INDArray floorFeatures = features(judge, train, floorRows);

        Map<String, Object> overall = figures(genFeatures, floorFeatures, testFeatures);
        Map<String, Object> perClassFigures = new LinkedHashMap<>();
        for (int c = 0; c < k; c++) {
            INDArray gen = rows(genFeatures, IntStream.range(c * perClass, (c + 1) * perClass).toArray());
            INDArray floor = rows(floorFeatures, IntStream.range(c * perClass, (c + 1) * perClass).toArray());
            perClassFigures.put(classes.get(c), figures(gen, floor, rows(testFeatures, rowsOf(testClass, c))));
        }
        PromptSensitivity.Table sensitivity = PromptSensitivity.of(classes, generated, perClass);
        ClassAccuracy.Report accuracy = ClassAccuracy.score(classes, generated, perClass, judge, 10);
        ClassAccuracyCommand.writeFigures(out, accuracy, loaded.generator().model().config().imgSize());
        int worst = accuracy.worst();

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", cmd.getOptionValue("model"));
        report.put("classifier", cmd.getOptionValue("classifier"));
        report.put("data", spec);
        report.put("template", template);
        report.put("images", perClass * k);
        report.put("per_class", perClass);
        report.put("test_images", test.size());
        report.put("sampling", Map.of("steps", opts.steps(), "cfg", opts.cfgScale(), "cfg_interval",
                opts.cfgInterval().times(), "guide_scale", opts.guideScale(), "sampler", opts.sampler().id(),
                "seed", opts.seed()));
        if (loaded.state() != null) {
            report.put("training", Map.of("step", loaded.state().step(),
                    "minutes", loaded.state().elapsedSeconds() / 60));
        }
        report.put("class_accuracy", accuracy.accuracy());
        report.put("class_accuracy_interval", accuracy.interval().asList());
        report.put("worst_class", Map.of("class", classes.get(worst), "accuracy", accuracy.accuracy(worst),
                "interval", accuracy.interval(worst).asList()));
        report.put("per_class_accuracy", ClassAccuracyCommand.perClassAccuracy(accuracy));
        report.put("confusion", accuracy.confusion());
        report.put("feature_width", judge.featureWidth());
        report.put("overall", overall);
        report.put("per_class_figures", perClassFigures);
        Map<String, Object> promptSensitivity = new LinkedHashMap<>();
        promptSensitivity.put("classes", classes);
        promptSensitivity.put("table", sensitivity.table());
        promptSensitivity.put("mean_off_diagonal", sensitivity.meanOffDiagonal());
        promptSensitivity.put("min_off_diagonal", sensitivity.minOffDiagonal());
        promptSensitivity.put("weakest_pair", sensitivity.weakestPair()); // null where no pair has a figure
        promptSensitivity.put("pairs_below_half", sensitivity.pairsBelow(0.5));
        report.put("prompt_sensitivity", promptSensitivity);
        report.put("sampling_seconds", sampleSecs);
        AtomicFiles.writeJson(out.resolve("report.json"), report);

        System.out.printf(Locale.ROOT, "%-12s %12s %12s %12s %12s%n", "", "FD", "FD floor", "KID", "KID floor");
        print("all", overall);
        for (var e : perClassFigures.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> f = (Map<String, Object>) e.getValue();
            print(e.getKey(), f);
        }
        System.out.println();
        System.out.print(accuracy.table());
        System.out.println();
        System.out.print(sensitivity.format());
        System.out.printf(Locale.ROOT, "%d images (%d per class, %d %s steps, cfg %.2f%s%s) against %d test images;"
                + " %s%n", perClass * k, perClass, opts.steps(), opts.sampler().id(), opts.cfgScale(),
                opts.cfgInterval().full() ? "" : " for t in " + opts.cfgInterval(),
                opts.guideScale() == 1.0 ? "" : String.format(Locale.ROOT, ", autoguidance %.2f", opts.guideScale()),
                test.size(),
                out.resolve("report.json"));
        double fd = (double) overall.get("fd");
        double fdFloor = (double) overall.get("fd_floor");
        System.out.printf(Locale.ROOT, "class accuracy %.3f (95 %% range %s), worst class %s %.3f (%s); Fréchet distance"
                + " %.1f, %.1f times its floor %.2f; KID %.1f; %s%n", accuracy.accuracy(), accuracy.interval(),
                classes.get(worst), accuracy.accuracy(worst), accuracy.interval(worst), fd, fd / fdFloor, fdFloor,
                (double) overall.get("kid"), sensitivityHeadline(sensitivity, k));
        return 0;
    }

    private static String sensitivityHeadline(PromptSensitivity.Table sensitivity, int classes) {
        if (sensitivity.weakestPair() == null) {
            return "prompt sensitivity undefined (no class's images differ from seed to seed)";
        }
        return String.format(Locale.ROOT, "prompt sensitivity lowest %s %.2f, mean %.2f, %d of %d pairs below 0.5",
                sensitivity.weakestPair(), sensitivity.minOffDiagonal(), sensitivity.meanOffDiagonal(),
                sensitivity.pairsBelow(0.5), classes * (classes - 1) / 2);
    }

    /** perClass images of each class prompt, class after class, image s of every class from seed + s. */
    private static INDArray generate(ImageGenerator gen, List<String> prompts, int perClass, SamplingOptions opts) {
        List<INDArray> parts = new ArrayList<>();
        int done = 0;
        for (String prompt : prompts) {
            for (int from = 0; from < perClass; from += IMAGES_PER_CALL) {
                int count = Math.min(IMAGES_PER_CALL, perClass - from);
                SamplingOptions o = opts.withSeed(opts.seed() + from).withImagesPerPrompt(count).validate();
                parts.add(gen.generate(List.of(prompt), null, o));
                done += count;
                System.err.printf(Locale.ROOT, "\r%d/%d images", done, perClass * prompts.size());
            }
        }
        System.err.println();
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    private static Map<String, Object> figures(INDArray generated, INDArray floor, INDArray real) {
        FrechetDistance.Gaussian r = FrechetDistance.Gaussian.of(real);
        KernelInceptionDistance.Estimate kid = KernelInceptionDistance.between(generated, real);
        KernelInceptionDistance.Estimate kidFloor = KernelInceptionDistance.between(floor, real);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fd", FrechetDistance.between(FrechetDistance.Gaussian.of(generated), r));
        m.put("fd_floor", FrechetDistance.between(FrechetDistance.Gaussian.of(floor), r));
        m.put("kid", kid.mean());
        m.put("kid_std", kid.std());
        m.put("kid_floor", kidFloor.mean());
        m.put("kid_floor_std", kidFloor.std());
        return m;
    }

    private static void print(String name, Map<String, Object> f) {
        System.out.printf(Locale.ROOT, "%-12s %12.3f %12.3f %12.5f %12.5f%n", name, (Double) f.get("fd"),
                (Double) f.get("fd_floor"), (Double) f.get("kid"), (Double) f.get("kid_floor"));
    }

    /** The judge's class index of every image, by its class name. */
    private static int[] classIndices(CaptionedImages data, List<String> classes) {
        if (!data.hasLabels()) {
            throw new T2iException(data.source() + " has no class labels; evaluate needs a labelled data set"
                    + " (CIFAR-10's zip or folders laid out as <split>/<class>/)");
        }
        List<String> names = data.classNames();
        int[] out = new int[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = classes.indexOf(names.get(data.label(i)));
            if (out[i] < 0) {
                throw new T2iException("the data's class '" + names.get(data.label(i)) + "' is not one the judge knows "
                        + classes);
            }
        }
        return out;
    }

    private static int[] rowsOf(int[] labels, int c) {
        return IntStream.range(0, labels.length).filter(i -> labels[i] == c).toArray();
    }

    private static INDArray features(ImageClassifier judge, CaptionedImages data, int[] rows) {
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < rows.length; from += 500) {
            int[] chunk = java.util.Arrays.copyOfRange(rows, from, Math.min(rows.length, from + 500));
            parts.add(judge.features(data.batch(chunk).images()));
        }
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    private static INDArray rows(INDArray m, int[] rows) {
        if (rows.length == 0) {
            throw new T2iException("a class has no images in the data's test split");
        }
        return Nd4j.pullRows(m, 1, rows);
    }
}
