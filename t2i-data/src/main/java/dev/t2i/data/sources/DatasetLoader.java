package dev.t2i.data.sources;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import dev.t2i.data.shapes.ShapesDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a data set from a user's spec, choosing the reader from what the path is:
 * <ul>
 * <li>{@code shapes}: the built-in captioned shapes ({@link ShapesDataset});</li>
 * <li>a folder holding {@code data_batch_1.bin}/{@code test_batch.bin}, or one holding
 *     {@code cifar-10-batches-bin/}: CIFAR-10 binary;</li>
 * <li>a {@code .tar.gz} / {@code .tgz} file: the CIFAR-10 binary archive;</li>
 * <li>a {@code .zip} file, or a folder with {@code <split>/<class>/} image folders (possibly
 *     inside one top folder): an image folder;</li>
 * <li>a {@code .jsonl} file: a manifest of {@code {"image": path, "caption": text}} lines.</li>
 * </ul>
 */
public final class DatasetLoader {
    /** The spec of the built-in data set. */
    public static final String SHAPES = "shapes";

    private static final Logger LOG = LoggerFactory.getLogger(DatasetLoader.class);
    private static final String LAYOUTS = "give 'shapes', a CIFAR-10 binary folder (cifar-10-batches-bin/) or "
            + "cifar-10-binary.tar.gz, an image folder or .zip laid out as <split>/<class>/*.png|jpg, or a .jsonl "
            + "manifest of {\"image\", \"caption\"} lines";

    private DatasetLoader() {
    }

    /** Opens the training split with no limits. */
    public static CaptionedImages open(String spec) {
        return open(spec, DatasetOptions.defaults());
    }

    /** Opens a data set; see the class comment for the specs understood. */
    public static CaptionedImages open(String spec, DatasetOptions options) {
        long start = System.nanoTime();
        // every reader rejects an empty result itself, naming what was empty
        CaptionedImages data = read(spec, options);
        LOG.info("loaded {} in {} ms{}", data, (System.nanoTime() - start) / 1_000_000,
                data.warnings().isEmpty() ? "" : " (" + data.warnings().get(data.warnings().size() - 1) + ")");
        return data;
    }

    private static CaptionedImages read(String spec, DatasetOptions options) {
        if (spec == null || spec.isBlank()) {
            throw new T2iException("no data set given: " + LAYOUTS);
        }
        if (spec.equalsIgnoreCase(SHAPES)) {
            return ShapesDataset.load(options);
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw new T2iException("data set path " + path.toAbsolutePath() + " does not exist: check the path, or "
                    + LAYOUTS);
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            if (CifarBinarySource.isCifarFolder(path)) {
                return CifarBinarySource.load(path, options);
            }
            if (ImageFolderSource.looksLike(path, options.split())) {
                return ImageFolderSource.load(path, options);
            }
            throw new T2iException("cannot tell the layout of folder " + path + " (no data_batch_1.bin, no "
                    + options.split() + "/<class>/ folders): " + LAYOUTS);
        }
        if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
            return CifarBinarySource.load(path, options);
        }
        if (name.endsWith(".zip")) {
            return ImageFolderSource.load(path, options);
        }
        if (name.endsWith(".jsonl")) {
            return JsonlManifestSource.load(path, options);
        }
        throw new T2iException("cannot tell the layout of " + path + " from its name: " + LAYOUTS);
    }
}
