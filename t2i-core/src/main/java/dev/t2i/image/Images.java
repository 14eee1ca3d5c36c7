package dev.t2i.image;

import dev.t2i.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Conversions between the model's image tensors and Java images.
 *
 * <p>The model sees images as float CHW tensors with values in [-1, 1], obtained from 8-bit
 * pixels as {@code v / 127.5 - 1}. Going back, values are clamped to [-1, 1] and rounded to the
 * nearest 8-bit level, so generated images that overshoot the range still convert cleanly.
 */
public final class Images {

    /** The float value of each 8-bit level, so the hot batch loop is a table look-up. */
    private static final float[] UNIT_OF_BYTE = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            UNIT_OF_BYTE[v] = v / 127.5f - 1f;
        }
    }

    private Images() {
    }

    /** The [-1, 1] value of an 8-bit level (0..255). */
    public static float toUnit(int level) {
        return UNIT_OF_BYTE[level & 0xFF];
    }

    /** The 8-bit level (0..255) of a [-1, 1] value, clamped and rounded; NaN becomes 0. */
    public static int toLevel(float unit) {
        if (Float.isNaN(unit)) {
            return 0;
        }
        long level = Math.round((unit + 1.0) * 127.5);
        return (int) Math.max(0, Math.min(255, level));
    }

    /**
     * Splits a batch [B, 3, H, W] (or one image [3, H, W]) in [-1, 1] into RGB images.
     */
    public static List<BufferedImage> toBufferedImages(INDArray images) {
        long[] shape = images.shape();
        if (shape.length == 3) {
            shape = new long[] {1, shape[0], shape[1], shape[2]};
        }
        if (shape.length != 4 || shape[1] != 3) {
            throw new IllegalArgumentException("expected images [B, 3, H, W] or [3, H, W], got "
                    + Arrays.toString(images.shape()));
        }
        int b = (int) shape[0];
        int h = (int) shape[2];
        int w = (int) shape[3];
        float[] data = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        List<BufferedImage> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            out.add(toBufferedImage(data, i * 3 * h * w, h, w));
        }
        return out;
    }

    /** One RGB image from CHW floats in [-1, 1] starting at {@code offset}. */
    public static BufferedImage toBufferedImage(float[] chw, int offset, int height, int width) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            int r = toLevel(chw[offset + p]);
            int g = toLevel(chw[offset + plane + p]);
            int b = toLevel(chw[offset + 2 * plane + p]);
            rgb[p] = (r << 16) | (g << 8) | b;
        }
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    /** Stacks equally sized images into a float tensor [B, 3, H, W] in [-1, 1]. */
    public static INDArray toTensor(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to stack");
        }
        int h = images.get(0).getHeight();
        int w = images.get(0).getWidth();
        int size = 3 * h * w;
        float[] data = new float[images.size() * size];
        byte[] chw = new byte[size];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            if (image.getHeight() != h || image.getWidth() != w) {
                throw new IllegalArgumentException("image " + i + " is " + image.getWidth() + "x"
                        + image.getHeight() + " but image 0 is " + w + "x" + h);
            }
            toChwBytes(image, chw, 0);
            for (int j = 0; j < size; j++) {
                data[i * size + j] = UNIT_OF_BYTE[chw[j] & 0xFF];
            }
        }
        return Nd4j.create(data, new long[] {images.size(), 3, h, w}, 'c');
    }

    /** The image's pixels as 8-bit CHW (all red, then all green, then all blue; rows top-down). */
    public static byte[] toChwBytes(BufferedImage image) {
        byte[] out = new byte[3 * image.getHeight() * image.getWidth()];
        toChwBytes(image, out, 0);
        return out;
    }

    /** Writes the image's pixels as 8-bit CHW into {@code dest} at {@code offset}. */
    public static void toChwBytes(BufferedImage image, byte[] dest, int offset) {
        int h = image.getHeight();
        int w = image.getWidth();
        int plane = h * w;
        // getRGB converts any colour model (grey, palette, CMYK-free JPEG) to sRGB ints
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int p = 0; p < plane; p++) {
            int v = rgb[p];
            dest[offset + p] = (byte) (v >>> 16);
            dest[offset + plane + p] = (byte) (v >>> 8);
            dest[offset + 2 * plane + p] = (byte) v;
        }
    }

    /** An RGB image from 8-bit CHW pixels starting at {@code offset}. */
    public static BufferedImage fromChwBytes(byte[] chw, int offset, int height, int width) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        int[] rgb = new int[plane];
        for (int p = 0; p < plane; p++) {
            rgb[p] = ((chw[offset + p] & 0xFF) << 16)
                    | ((chw[offset + plane + p] & 0xFF) << 8)
                    | (chw[offset + 2 * plane + p] & 0xFF);
        }
        image.setRGB(0, 0, width, height, rgb, 0, width);
        return image;
    }

    /** Enlarges an image by an integer factor with nearest-neighbour sampling (keeps pixels crisp). */
    public static BufferedImage upscale(BufferedImage image, int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("upscale factor must be at least 1, got " + factor);
        }
        if (factor == 1) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int[] src = image.getRGB(0, 0, w, h, null, 0, w);
        int[] dst = new int[w * factor * h * factor];
        int dw = w * factor;
        for (int y = 0; y < h * factor; y++) {
            int sy = y / factor;
            for (int x = 0; x < dw; x++) {
                dst[y * dw + x] = src[sy * w + x / factor];
            }
        }
        BufferedImage out = new BufferedImage(dw, h * factor, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, dw, h * factor, dst, 0, dw);
        return out;
    }

    /** The image encoded as PNG. */
    public static byte[] pngBytes(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // in memory, not through ImageIO's file cache (see PngText.encode)
        try (javax.imageio.stream.ImageOutputStream stream = new javax.imageio.stream.MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(image, "png", stream)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed in memory", e);
        }
        return out.toByteArray();
    }

    /** Writes the image as a PNG file, atomically (a crash never leaves half a file). */
    public static void writePng(Path path, BufferedImage image) {
        byte[] png = pngBytes(image);
        AtomicFiles.write(path, out -> out.write(png));
    }

    /** Most pixels an image file may declare before it is decoded (4096 × 4096). */
    public static final long MAX_DECODED_PIXELS = 4096L * 4096L;

    /**
     * Decodes image bytes with the first ImageIO reader that knows them, after checking the size
     * the file declares: a small file can declare gigapixels, and decoding first would exhaust
     * memory before any check ran.
     *
     * @return the image, or null when no reader knows the format
     * @throws IOException when the file is damaged or declares more than {@link #MAX_DECODED_PIXELS}
     */
    public static BufferedImage decodeBounded(byte[] bytes) throws IOException {
        try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(
                new java.io.ByteArrayInputStream(bytes))) {
            java.util.Iterator<javax.imageio.ImageReader> readers = javax.imageio.ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            javax.imageio.ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                checkDeclaredSize(reader.getWidth(0), reader.getHeight(0));
                return reader.read(0);
            } catch (RuntimeException e) {
                // ImageIO's readers fail on some damaged files with unchecked exceptions
                String why = e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("");
                throw new IOException("the file is damaged (" + e.getClass().getSimpleName() + why + ")", e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Refuses a declared size above {@link #MAX_DECODED_PIXELS}, naming it. */
    public static void checkDeclaredSize(int width, int height) throws IOException {
        if ((long) width * height > MAX_DECODED_PIXELS) {
            throw new IOException("the file declares " + width + "x" + height + " pixels, more than the "
                    + MAX_DECODED_PIXELS + " decoded here (refused before decoding)");
        }
    }
}
