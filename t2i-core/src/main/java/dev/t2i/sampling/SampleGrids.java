package dev.t2i.sampling;

import dev.t2i.image.ImageGrid;
import dev.t2i.image.Images;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Captioned grids of generated images: one row of samples per prompt or class. */
public final class SampleGrids {
    private SampleGrids() {
    }

    /**
     * Samples the prompts (or labels) and writes a captioned grid; returns the images.
     *
     * @param prompts    the prompts, or null for a class model
     * @param labels     the class labels, or null for a text model
     * @param classNames the data set's class names in label order, for the captions of labels, or null
     */
    public static INDArray write(ImageGenerator gen, List<String> prompts, int[] labels, List<String> classNames,
            SamplingOptions opts, Path png, int columns) {
        INDArray images = gen.generate(prompts, labels, opts);
        List<String> captions = new ArrayList<>();
        int count = labels != null ? labels.length : prompts.size();
        for (int p = 0; p < count; p++) {
            for (int k = 0; k < opts.imagesPerPrompt(); k++) {
                captions.add(prompts != null ? prompts.get(p) : className(labels[p], classNames));
            }
        }
        ImageGrid.write(png, Images.toBufferedImages(images), captions, columns, scale(gen.model().config().imgSize()));
        return images;
    }

    /** A label's caption: its class name where the names are known, else {@code class N}. */
    public static String className(int label, List<String> classNames) {
        return classNames != null && label >= 0 && label < classNames.size() ? classNames.get(label)
                : "class " + label;
    }

    /** How many times a grid enlarges images of this size, so that small ones stay visible (96 px cells). */
    public static int scale(int imgSize) {
        return Math.max(1, 96 / imgSize);
    }
}
