package dev.t2i.eval;

import dev.t2i.T2iException;
import dev.t2i.data.Captions;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SamplingOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How often a text-to-image model draws the class it was asked for: N images per class prompt
 * ("a photo of a cat"), each classified by an {@link ImageClassifier} that never saw the model.
 */
public final class ClassAccuracy {
    /** Prompts per generation call: all classes at once, a few images each, keeps batches large. */
    private static final int IMAGES_PER_CALL = 10;

    private ClassAccuracy() {
    }

    /**
     * The measurement.
     *
     * @param classes   class names in label order
     * @param confusion confusion[asked][predicted] counts
     * @param samples   the first images of each class, [classes × shown, 3, H, W] in [-1, 1], class after class
     * @param shown     images per class in {@code samples}
     */
    public record Report(List<String> classes, int[][] confusion, INDArray samples, int shown,
            int[][] predictedShown) {
        /** Images generated per class. */
        public int perClass() {
            int n = 0;
            for (int v : confusion[0]) {
                n += v;
            }
            return n;
        }

        /** Share of all images classified as the class they were asked for. */
        public double accuracy() {
            return (double) right() / total();
        }

        /** The 95 % interval of {@link #accuracy()} over other draws of as many images. */
        public WilsonInterval interval() {
            return WilsonInterval.of(right(), total());
        }

        /** Share of class {@code c}'s images classified as {@code c}. */
        public double accuracy(int c) {
            return (double) confusion[c][c] / perClass();
        }

        /** The 95 % interval of {@link #accuracy(int)}. */
        public WilsonInterval interval(int c) {
            return WilsonInterval.of(confusion[c][c], perClass());
        }

        /** The class with the lowest accuracy (the first of equals). */
        public int worst() {
            int worst = 0;
            for (int c = 1; c < confusion.length; c++) {
                worst = accuracy(c) < accuracy(worst) ? c : worst;
            }
            return worst;
        }

        private long total() {
            long all = 0;
            for (int[] row : confusion) {
                for (int v : row) {
                    all += v;
                }
            }
            return all;
        }

        private long right() {
            long right = 0;
            for (int c = 0; c < confusion.length; c++) {
                right += confusion[c][c];
            }
            return right;
        }

        /** One line per class: accuracy, its 95 % range, and the class its images were most often mistaken for. */
        public String table() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s %8s  %-11s  %s%n", "class", "accuracy",
                    "95 % range", "most often mistaken for"));
            for (int c = 0; c < classes.size(); c++) {
                int confused = -1;
                for (int p = 0; p < classes.size(); p++) {
                    if (p != c && (confused < 0 || confusion[c][p] > confusion[c][confused])) {
                        confused = p;
                    }
                }
                sb.append(String.format(Locale.ROOT, "%-12s %8.3f  %-11s  %s%n", classes.get(c), accuracy(c),
                        interval(c), confusion[c][confused] == 0 ? "none"
                                : classes.get(confused) + " (" + confusion[c][confused] + ")"));
            }
            return sb.toString();
        }
    }

    /**
     * The prompts the data set's own captions use ("a photo of a cat", "a photo of an airplane":
     * {@code dev.t2i.data.Captions}); a model trained on them may draw anything for "a photo of a
     * airplane", and one whose text tokens are centred ({@code text_centering}) draws noise.
     */
    public static final String DEFAULT_TEMPLATE = "a photo of {a} {}";

    /**
     * The prompt of each class: {@code template} with {@code {}} replaced by the class name
     * (underscores as spaces) and {@code {a}} by its article, "a" or "an".
     *
     * @throws T2iException when the template has no {@code {}}
     */
    public static List<String> prompts(String template, List<String> classes) {
        if (!template.contains("{}")) {
            throw new T2iException("the prompt template '" + template + "' has no {} for the class name");
        }
        return classes.stream().map(c -> {
            String name = c.replace('_', ' ');
            String withArticle = Captions.withArticle(name);
            return template.replace("{a}", withArticle.substring(0, withArticle.indexOf(' '))).replace("{}", name);
        }).toList();
    }

    /**
     * Generates {@code perClass} images for each class prompt ({@code template} with {@code {}}
     * replaced by the class name, underscores as spaces) and classifies them.
     *
     * @param options  steps, guidance scale, sampler, negative prompt and the first seed, for one
     *                 image per prompt ({@code perClass} gives the count)
     * @param progress hears the number of images generated so far
     */
    public static Report measure(ImageGenerator generator, ImageClassifier classifier, String template, int perClass,
            SamplingOptions options, int shown, IntConsumer progress) {
        List<String> classes = classifier.classNames();
        List<String> prompts = prompts(template, classes);
        if (perClass < 1) {
            throw new T2iException("images per class must be at least 1, got " + perClass);
        }
        if (options.imagesPerPrompt() != 1) {
            // perClass says how many; the options' count would otherwise be silently overridden
            throw new IllegalArgumentException("give the images per class as perClass and options for one image per"
                    + " prompt, got " + options.imagesPerPrompt() + " per prompt");
        }
        int k = classes.size();
        int[][] confusion = new int[k][k];
        int show = Math.min(shown, perClass);
        List<List<INDArray>> kept = new ArrayList<>(Collections.nCopies(k, null));
        int[][] predictedShown = new int[k][show];
        for (int c = 0; c < k; c++) {
            kept.set(c, new ArrayList<>());
        }
        int done = 0;
        while (done < perClass) {
            int n = Math.min(IMAGES_PER_CALL, perClass - done);
            // image j of a call has seed + j: each call starts past the seeds of the calls before it
            SamplingOptions o = options.withSeed(options.seed() + (long) done * k).withImagesPerPrompt(n).validate();
            INDArray images = generator.generate(prompts, null, o);
            int[] predicted = classifier.predict(images);
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < n; i++) {
                    int row = c * n + i;
                    confusion[c][predicted[row]]++;
                    int index = done + i;
                    if (index < show) {
                        kept.get(c).add(images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(row)).dup());
                        predictedShown[c][index] = predicted[row];
                    }
                }
            }
            done += n;
            if (progress != null) {
                progress.accept(done * k);
            }
        }
        List<INDArray> all = new ArrayList<>();
        kept.forEach(all::addAll);
        INDArray samples = Nd4j.stack(0, all.toArray(new INDArray[0]));
        return new Report(classes, confusion, samples, show, predictedShown);
    }

    /**
     * Classifies images that were generated class after class ({@code perClass} of each, in the
     * order of {@code classes}), as {@link #measure} does with its own.
     *
     * @param images [classes × perClass, 3, H, W] in [-1, 1]
     * @param shown  images per class kept in the report's samples
     */
    public static Report score(List<String> classes, INDArray images, int perClass, ImageClassifier classifier,
            int shown) {
        int k = classes.size();
        if (images.size(0) != (long) k * perClass) {
            throw new IllegalArgumentException(images.size(0) + " images for " + k + " classes of " + perClass);
        }
        if (!classifier.classNames().equals(classes)) {
            throw new T2iException("the judge's classes " + classifier.classNames() + " are not " + classes);
        }
        int[] predicted = classifier.predict(images);
        int show = Math.min(shown, perClass);
        int[][] confusion = new int[k][k];
        int[][] predictedShown = new int[k][show];
        List<INDArray> kept = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < perClass; i++) {
                int row = c * perClass + i;
                confusion[c][predicted[row]]++;
                if (i < show) {
                    kept.add(images.get(org.nd4j.linalg.indexing.NDArrayIndex.point(row)).dup());
                    predictedShown[c][i] = predicted[row];
                }
            }
        }
        return new Report(classes, confusion, Nd4j.stack(0, kept.toArray(new INDArray[0])), show, predictedShown);
    }
}
