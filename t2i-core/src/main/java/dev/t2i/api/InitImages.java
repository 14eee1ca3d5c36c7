package dev.t2i.api;

import dev.t2i.T2iException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Initial images for image-to-image: read from files and brought to the model's size. */
public final class InitImages {
    private InitImages() {
    }

    /**
     * The image as RGB at {@code size}×{@code size}: returned unchanged when it already is, else
     * scaled (bilinear) without keeping its aspect ratio, transparent pixels over black.
     */
    public static BufferedImage fit(BufferedImage image, int size) {
        if (image.getWidth() == size && image.getHeight() == size && image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        if (image.getWidth() == size && image.getHeight() == size) {
            // same size: copy the pixels exactly (getRGB converts any colour model to sRGB)
            out.setRGB(0, 0, size, size, image.getRGB(0, 0, size, size, null, 0, size), 0, size);
            return out;
        }
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, size, size, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Reads an image file (PNG, JPEG, GIF, BMP).
     *
     * @throws T2iException when it is missing or not an image
     */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new T2iException("initial image not found: " + file + " (give a PNG or JPEG file)");
        }
        try {
            BufferedImage image = dev.t2i.image.Images.decodeBounded(Files.readAllBytes(file));
            if (image == null) {
                throw new T2iException("cannot decode " + file + " as an image (give a PNG or JPEG file)");
            }
            return image;
        } catch (IOException e) {
            throw new T2iException("cannot read " + file + ": " + why(e) + " (give a PNG or JPEG file)");
        }
    }

    /** Decodes image bytes (PNG, JPEG, GIF, BMP), or throws {@link IllegalArgumentException}. */
    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = dev.t2i.image.Images.decodeBounded(bytes);
            if (image == null) {
                throw new IllegalArgumentException("the initial image is not a PNG, JPEG, GIF or BMP");
            }
            return image;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot decode the initial image: " + why(e));
        }
    }

    /** One line on why an image could not be read; ImageIO's readers often give no message. */
    private static String why(IOException e) {
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return e.getMessage().lines().findFirst().orElse("");
        }
        return e instanceof java.io.EOFException ? "the file ends early (truncated?)"
                : "the file is damaged (" + e.getClass().getSimpleName() + ")";
    }
}
