package dev.t2i.data.sources;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.image.Images;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes many encoded images (PNG, JPEG, and whatever else ImageIO reads) in parallel into one
 * packed CHW byte array. Files that do not decode are skipped with a warning; an image whose
 * size differs from the others stops the load, because resizing silently would change the data.
 */
final class ImageDecoding {

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoding.class);
    /** Individually logged skips; the rest only count towards the summary. */
    private static final int MAX_LOGGED = 20;

    /**
     * ImageIO's convenience {@code read} looks the decoder up and builds a stream per call; one
     * reader per thread and format, fed from memory, decodes 32×32 JPEGs several times faster.
     */
    private static final ThreadLocal<Map<String, Reader>> READERS = ThreadLocal.withInitial(HashMap::new);

    private ImageDecoding() {
    }

    /** Supplies an image's encoded bytes (from a file, a zip entry, ...). */
    @FunctionalInterface
    interface ByteSource {
        byte[] read() throws IOException;
    }

    /** An encoded image: a display name for messages (its path) and its bytes. */
    record Encoded(String name, ByteSource bytes) {
    }

    /**
     * The images that decoded, packed CHW.
     *
     * @param kept     for each packed image, its index in the input list
     * @param warnings one line per skipped file and a summary line, empty if none were skipped
     */
    record Packed(int height, int width, byte[] pixels, int[] kept, List<String> warnings) {
        int count() {
            return kept.length;
        }
    }

    /**
     * Decodes all items, using every core.
     *
     * @param source       the data set path, for messages
     * @param expectedSize required side in pixels, or 0 to take the first image's size
     */
    static Packed decodeAll(String source, List<Encoded> items, int expectedSize) {
        int n = items.size();
        if (n == 0) {
            throw new T2iException("no images in " + source + ": add PNG or JPEG files");
        }
        byte[][] chw = new byte[n][];
        int[][] sizes = new int[n][];
        String[] errors = new String[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            try {
                BufferedImage image = decode(items.get(i).bytes().read());
                sizes[i] = new int[] {image.getHeight(), image.getWidth()};
                chw[i] = Images.toChwBytes(image);
            } catch (IOException | RuntimeException e) {
                errors[i] = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
        });

        int height = expectedSize;
        int width = expectedSize;
        String sizeOrigin = "the requested image size";
        List<Integer> kept = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (chw[i] == null) {
                String warning = "skipped " + items.get(i).name() + ": cannot decode it (" + errors[i] + ")";
                warnings.add(warning);
                if (warnings.size() <= MAX_LOGGED) {
                    LOG.warn(warning);
                }
                continue;
            }
            if (height == 0) {
                height = sizes[i][0];
                width = sizes[i][1];
                sizeOrigin = "the first image, " + items.get(i).name() + ",";
            }
            if (sizes[i][0] != height || sizes[i][1] != width) {
                throw new T2iException(items.get(i).name() + " is " + sizes[i][1] + "x" + sizes[i][0]
                        + " but " + sizeOrigin + " is " + width + "x" + height
                        + ": all images of a data set must have one size; resize or remove it");
            }
            kept.add(i);
        }
        if (kept.isEmpty()) {
            throw new T2iException("none of the " + n + " images in " + source + " could be decoded (first: "
                    + items.get(0).name() + ": " + errors[0] + "): use PNG or JPEG files");
        }
        if (!warnings.isEmpty()) {
            String summary = "skipped " + warnings.size() + " of " + n + " images in " + source
                    + " that could not be decoded";
            warnings.add(summary);
            LOG.warn(summary);
        }

        int per = 3 * height * width;
        byte[] pixels = new byte[CaptionedImages.pixelBytes(source, kept.size(), height, width)];
        int[] keptIndices = new int[kept.size()];
        for (int k = 0; k < keptIndices.length; k++) {
            keptIndices[k] = kept.get(k);
            System.arraycopy(chw[keptIndices[k]], 0, pixels, k * per, per);
            chw[keptIndices[k]] = null; // let the per-image copies go while packing
        }
        return new Packed(height, width, pixels, keptIndices, warnings);
    }

    /** Whether a file name has an image extension this loader reads. */
    static boolean isImageName(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg")
                || lower.endsWith(".bmp") || lower.endsWith(".gif");
    }

    private static BufferedImage decode(byte[] bytes) throws IOException {
        String format = sniff(bytes);
        if (format == null) {
            BufferedImage image = dev.t2i.image.Images.decodeBounded(bytes);
            if (image == null) {
                throw new IOException("not an image format ImageIO knows");
            }
            return image;
        }
        Map<String, Reader> readers = READERS.get();
        Reader reader = readers.computeIfAbsent(format, Reader::new);
        try {
            return reader.read(bytes);
        } catch (IOException | RuntimeException e) {
            // a reader that failed mid-file may keep broken state; the next file gets a fresh one
            readers.remove(format).reader.dispose();
            throw e;
        }
    }

    /** The format from the file's magic bytes, for the two formats that have fast paths. */
    private static String sniff(byte[] b) {
        if (b.length > 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8) {
            return "jpeg";
        }
        if (b.length > 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "png";
        }
        return null;
    }

    /** A reusable decoder that also fails on the warnings ImageIO gives for truncated files. */
    private static final class Reader implements IIOReadWarningListener {
        private final ImageReader reader;
        private String warning;

        Reader(String format) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
            if (!readers.hasNext()) {
                throw new IllegalStateException("this JVM has no " + format + " decoder");
            }
            reader = readers.next();
            reader.addIIOReadWarningListener(this);
        }

        @Override
        public void warningOccurred(ImageReader source, String message) {
            warning = message;
        }

        BufferedImage read(byte[] bytes) throws IOException {
            warning = null;
            try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
                reader.setInput(in, true, true);
                dev.t2i.image.Images.checkDeclaredSize(reader.getWidth(0), reader.getHeight(0));
                BufferedImage image = reader.read(0);
                if (warning != null) {
                    throw new IOException(warning);
                }
                return image;
            } finally {
                reader.setInput(null);
            }
        }
    }
}
