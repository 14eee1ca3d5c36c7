package dev.t2i.data;

import dev.t2i.T2iException;
import dev.t2i.image.Images;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An in-memory data set of equally sized RGB images, each with a caption and, when the source
 * has classes, an integer class label.
 *
 * <p>Pixels are held as one compact {@code byte[]} of unsigned 8-bit values, image after image,
 * each image in CHW order: all red values, then all green, then all blue, each plane row-major
 * from the top-left. CHW is the model's layout (and CIFAR-10's file layout), so a batch is a
 * straight copy through a look-up table. CIFAR-10's 50,000 training images take 154 MB.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class CaptionedImages {
    /** A Java array cannot be longer; larger data sets must be loaded with a limit. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private final String source;
    private final int height;
    private final int width;
    private final byte[] pixels;
    private final List<String> captions;
    private final int[] labels;
    private final List<String> classNames;
    private final List<String> warnings;

    /**
     * @param source     where the images came from, for messages and provenance
     * @param pixels     {@code size × 3 × height × width} bytes, CHW per image (not copied)
     * @param captions   one per image
     * @param labels     one class index per image, or null when the source has no classes
     * @param classNames the class names in label order (empty when there are no labels)
     * @param warnings   problems met while loading that did not stop it (e.g. skipped files)
     */
    public CaptionedImages(String source, int height, int width, byte[] pixels, List<String> captions,
                           int[] labels, List<String> classNames, List<String> warnings) {
        int n = captions.size();
        if ((long) n * 3 * height * width != pixels.length) {
            throw new IllegalArgumentException(n + " captions need " + (long) n * 3 * height * width
                    + " pixel bytes for " + width + "x" + height + " images, got " + pixels.length);
        }
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException(n + " captions but " + labels.length + " labels");
        }
        if (labels != null) {
            for (int label : labels) {
                if (label < 0 || label >= classNames.size()) {
                    throw new IllegalArgumentException("label " + label + " outside the " + classNames.size() + " classes");
                }
            }
        }
        this.source = source;
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.captions = List.copyOf(captions);
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Checks that {@code count} images of the given size fit in one array, before allocating it.
     */
    public static int pixelBytes(String source, long count, int height, int width) {
        long bytes = count * 3L * height * width;
        if (bytes > MAX_BYTES) {
            throw new T2iException(source + " holds " + count + " images of " + width + "x" + height
                    + ", more than fit in memory as one array (2 GB): load fewer with a limit");
        }
        return (int) bytes;
    }

    /** Number of images. */
    public int size() {
        return captions.size();
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Bytes (and floats) per image: 3 × height × width. */
    public int valuesPerImage() {
        return 3 * height * width;
    }

    /** Where the images came from (a path or a generator description). */
    public String source() {
        return source;
    }

    public String caption(int index) {
        return captions.get(index);
    }

    /** All captions in index order (unmodifiable). */
    public List<String> captions() {
        return captions;
    }

    /** Whether images carry class labels. */
    public boolean hasLabels() {
        return labels != null;
    }

    /** The class index of an image, or -1 when the data set has no classes. */
    public int label(int index) {
        return labels == null ? -1 : labels[index];
    }

    /** Class names in label order; empty when the data set has no classes. */
    public List<String> classNames() {
        return classNames;
    }

    /** Problems met while loading that did not stop it (skipped files, and a count of them). */
    public List<String> warnings() {
        return warnings;
    }

    /** One image's 8-bit pixels, CHW (a copy). */
    public byte[] pixels(int index) {
        Objects.checkIndex(index, size());
        int n = valuesPerImage();
        return Arrays.copyOfRange(pixels, index * n, index * n + n);
    }

    /** One image as a Java image, e.g. for a preview grid. */
    public BufferedImage image(int index) {
        Objects.checkIndex(index, size());
        return Images.fromChwBytes(pixels, index * valuesPerImage(), height, width);
    }

    /**
     * The images at {@code indices} as floats [B, 3, H, W] in [-1, 1] with their captions and
     * labels.
     *
     * @param flipRandom decides per image, in batch order, whether to mirror it left–right
     *                   (one {@code nextBoolean()} per image); null for no flips. Pass a
     *                   generator seeded from the epoch and step (see {@link EpochShuffler#random})
     *                   to make a resumed run draw the same flips.
     */
    public Batch batch(int[] indices, RandomGenerator flipRandom) {
        int b = indices.length;
        int n = valuesPerImage();
        float[] out = new float[Math.multiplyExact(b, n)];
        boolean[] flipped = new boolean[b];
        List<String> batchCaptions = new ArrayList<>(b);
        int[] batchLabels = new int[b];
        for (int i = 0; i < b; i++) {
            int index = Objects.checkIndex(indices[i], size());
            flipped[i] = flipRandom != null && flipRandom.nextBoolean();
            copyAsFloats(index, flipped[i], out, i * n);
            batchCaptions.add(captions.get(index));
            batchLabels[i] = label(index);
        }
        INDArray images = Nd4j.create(out, new long[] {b, 3, height, width}, 'c');
        return new Batch(images, batchCaptions, batchLabels, flipped, indices.clone());
    }

    /** The images at {@code indices} without flips. */
    public Batch batch(int[] indices) {
        return batch(indices, null);
    }

    /**
     * Writes one image as [-1, 1] floats (CHW) into {@code dest} at {@code offset}, mirrored
     * left–right if {@code flip}.
     */
    public void copyAsFloats(int index, boolean flip, float[] dest, int offset) {
        int src = index * valuesPerImage();
        for (int row = 0; row < 3 * height; row++) {
            int s = src + row * width;
            int d = offset + row * width;
            if (flip) {
                for (int x = 0; x < width; x++) {
                    dest[d + x] = Images.toUnit(pixels[s + width - 1 - x]);
                }
            } else {
                for (int x = 0; x < width; x++) {
                    dest[d + x] = Images.toUnit(pixels[s + x]);
                }
            }
        }
    }

    /** A new data set holding the images at {@code indices}, in that order. */
    public CaptionedImages subset(int[] indices) {
        int n = valuesPerImage();
        byte[] sub = new byte[pixelBytes(source, indices.length, height, width)];
        List<String> subCaptions = new ArrayList<>(indices.length);
        int[] subLabels = labels == null ? null : new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * n, sub, i * n, n);
            subCaptions.add(captions.get(indices[i]));
            if (subLabels != null) {
                subLabels[i] = labels[indices[i]];
            }
        }
        return new CaptionedImages(source, height, width, sub, subCaptions, subLabels, classNames, warnings);
    }

    @Override
    public String toString() {
        return size() + " images " + width + "x" + height + " from " + source
                + (hasLabels() ? " (" + classNames.size() + " classes)" : "");
    }
}
