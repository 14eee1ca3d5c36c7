package dev.t2i.cli;

import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import dev.t2i.data.sources.DatasetLoader;
import dev.t2i.eval.ImageClassifier;
import dev.t2i.runtime.ProcessHousekeeping;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code t2i train-classifier}: the CIFAR-10 (or any labelled set's) classifier that scores samples. */
final class TrainClassifierCommand implements Command {
    @Override
    public String name() {
        return "train-classifier";
    }

    @Override
    public String summary() {
        return "train the convolutional classifier (Deeplearning4j) that 'class-accuracy' scores samples with";
    }

    @Override
    public String usage() {
        return "--data SPEC [--epochs N] [--minutes M] [--width W] [--translate N] --out weights/cifar10-classifier.zip";
    }

    @Override
    public Options options() {
        ImageClassifier.Settings d = ImageClassifier.Settings.defaults();
        ImageClassifier.Settings sgd = ImageClassifier.Settings.defaults(ImageClassifier.Recipe.WHITENED_SGD);
        return new Options()
                .addOption(Args.required("data", "SPEC", "labelled images: CIFAR-10 binary folder or archive, image"
                        + " folder or .zip laid out as <split>/<class>/*"))
                .addOption(Args.value("recipe", "R", "adam, or whitened-sgd (the fast CIFAR-10 trainers' recipe: a fixed"
                        + " whitening first layer, Nesterov SGD at a high rate; its own defaults: " + sgd.layout().cliName()
                        + ", width " + sgd.width() + ", " + sgd.epochs() + " epochs, batch " + sgd.batch() + ", lr " + sgd.lr()
                        + ") (default " + d.recipe().cliName() + ")"))
                .addOption(Args.value("epochs", "N", "passes over the training split (default " + d.epochs() + ")"))
                .addOption(Args.value("layout", "L", "conv-conv-pool (widths W, 2W, 4W) or conv-pool-conv (widths W,"
                        + " 4W, 4W; pooling between each stage's convolutions) (default " + d.layout().cliName() + ")"))
                .addOption(Args.value("width", "W", "channels of the first stage (default " + d.width() + ")"))
                .addOption(Args.value("batch", "N", "images per step (default " + d.batch() + ")"))
                .addOption(Args.value("lr", "X", "peak learning rate (default " + d.lr() + ")"))
                .addOption(Args.value("translate", "N", "largest random translation of a training image, in pixels"
                        + " (default " + d.translate() + ")"))
                .addOption(Args.value("minutes", "M", "time budget: stop after M minutes (or --epochs, whichever"
                        + " comes first); the learning-rate schedule follows the clock"))
                .addOption(Args.value("limit", "N", "use at most N training images"))
                .addOption(Args.value("seed", "N", "seed (default 0)"))
                .addOption(Args.required("out", "FILE", "the classifier to write (a DL4J model zip)"));
    }

    @Override
    public int run(CommandLine cmd) {
        if (dev.t2i.platform.CoreSplit.requestedOpThreads() == null && System.getenv("OMP_NUM_THREADS") == null) {
            // one network, not shards on worker threads: the ops themselves must use the cores
            dev.t2i.platform.Backend.configureThreads(Runtime.getRuntime().availableProcessors());
        }
        ImageClassifier.Recipe recipe = cmd.hasOption("recipe")
                ? ImageClassifier.Recipe.parse(cmd.getOptionValue("recipe")) : ImageClassifier.Recipe.ADAM;
        ImageClassifier.Settings d = ImageClassifier.Settings.defaults(recipe);
        ImageClassifier.Settings s = new ImageClassifier.Settings(
                cmd.hasOption("layout") ? ImageClassifier.Layout.parse(cmd.getOptionValue("layout")) : d.layout(),
                Args.intValue(cmd, "width", d.width()),
                Args.intValue(cmd, "epochs", d.epochs()), Args.intValue(cmd, "batch", d.batch()),
                Args.doubleValue(cmd, "lr", d.lr()), Args.longValue(cmd, "seed") == null ? 0 : Args.longValue(cmd, "seed"),
                Args.doubleValue(cmd, "minutes", d.minutes()), Args.intValue(cmd, "translate", d.translate()), recipe);
        DatasetOptions train = DatasetOptions.defaults().withSplit("train");
        if (cmd.hasOption("limit")) {
            train = train.withLimit(Args.intValue(cmd, "limit"));
        }
        CaptionedImages data = DatasetLoader.open(cmd.getOptionValue("data"), train);
        CaptionedImages test = DatasetLoader.open(cmd.getOptionValue("data"), DatasetOptions.defaults().withSplit("test"));
        Path out = Path.of(cmd.getOptionValue("out"));
        // a quick check after each epoch: every k-th test image, 1,000 of them (the split may be ordered by class)
        int stride = Math.max(1, test.size() / 1000);
        CaptionedImages probe = test.subset(java.util.stream.IntStream.range(0, Math.min(1000, test.size()))
                .map(i -> i * stride).filter(i -> i < test.size()).toArray());
        System.err.printf(Locale.ROOT, "training a classifier on %s (%s)%n", data, s);
        long t0 = System.nanoTime();
        ImageClassifier classifier = ImageClassifier.train(data, s, new ImageClassifier.EpochListener() {
            @Override
            public void step(int epoch, int step, int stepsPerEpoch) {
                // this process is the command's: give glibc's arenas back as the DiT trainer does
                // (without it the judge's resident set grew to 7.5 GB in its first minutes)
                ProcessHousekeeping.afterStep();
                if (step % 50 == 0) {
                    System.err.printf(Locale.ROOT, "epoch %d step %d/%d (%.0f s)%n", epoch + 1, step, stepsPerEpoch,
                            (System.nanoTime() - t0) / 1e9);
                }
            }

            @Override
            public void epoch(int epoch, double meanLoss, double seconds, ImageClassifier c) {
                System.err.printf(Locale.ROOT, "epoch %d: mean loss %.4f, %.0f s (%.0f images/s), %.1f min in,"
                        + " accuracy on %d test images %.4f%n", epoch, meanLoss, seconds, data.size() / seconds,
                        (System.nanoTime() - t0) / 60e9, probe.size(), c.accuracy(probe));
                c.save(out);
            }
        });
        double trainSecs = (System.nanoTime() - t0) / 1e9;
        double accuracy = classifier.accuracy(test);
        System.out.printf(Locale.ROOT, "wrote %s; trained in %.0f s%n", out, trainSecs);
        System.out.printf(Locale.ROOT, "test_accuracy %.4f (%d test images of %s)%n", accuracy, test.size(),
                cmd.getOptionValue("data"));
        return 0;
    }
}
