package dev.t2i.image;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Lays images out in a grid with an optional caption under each, for sample sheets.
 *
 * <p>Images are enlarged by an integer factor with nearest-neighbour sampling (32×32 samples are
 * too small to judge otherwise). The pixel size depends only on the arguments, never on the
 * fonts, so callers and tests can rely on {@link #size}: each cell is
 * {@code max(width·scale, MIN_CAPTION_WIDTH)} wide when captioned ({@code width·scale} when not)
 * and {@code height·scale + CAPTION_LINES·LINE_HEIGHT} high when captioned; cells are separated
 * and surrounded by {@link #GAP} pixels.
 */
public final class ImageGrid {
    static {
        Headless.ensure();
    }

    /** Pixels between cells and around the grid. */
    public static final int GAP = 4;
    /** Captions are wrapped to at most this many lines; the rest is ellipsized. */
    public static final int CAPTION_LINES = 2;
    /** Height of one caption line in pixels. */
    public static final int LINE_HEIGHT = 13;
    /** Captioned cells are at least this wide, so short images still get readable captions. */
    public static final int MIN_CAPTION_WIDTH = 96;

    private static final int FONT_PIXELS = 11;
    private static final Color CAPTION_COLOR = new Color(40, 40, 40);

    private ImageGrid() {
    }

    /** The grid's pixel size for {@code count} images of {@code width×height}. */
    public static Dimension size(int count, int width, int height, int columns, int scale, boolean captioned) {
        int cols = Math.max(1, Math.min(columns, count));
        int rows = (count + cols - 1) / cols;
        int cellW = cellWidth(width, scale, captioned);
        int cellH = cellHeight(height, scale, captioned);
        return new Dimension(cols * cellW + (cols + 1) * GAP, rows * cellH + (rows + 1) * GAP);
    }

    /**
     * Renders the grid.
     *
     * @param images   equally sized images (the first one's size sets the cell size)
     * @param captions one caption per image, or null for none
     * @param columns  images per row (fewer if there are fewer images)
     * @param scale    integer nearest-neighbour enlargement, at least 1
     */
    public static BufferedImage render(List<BufferedImage> images, List<String> captions, int columns, int scale) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images for the grid");
        }
        if (captions != null && captions.size() != images.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + captions.size() + " captions");
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be at least 1, got " + columns);
        }
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        boolean captioned = captions != null;
        Dimension size = size(images.size(), w, h, columns, scale, captioned);
        int cols = Math.min(columns, images.size());
        int cellW = cellWidth(w, scale, captioned);
        int cellH = cellHeight(h, scale, captioned);

        BufferedImage grid = new BufferedImage(size.width, size.height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Text.canvas(grid);
        boolean text = captioned && Text.available();
        if (text) {
            g.setFont(Text.font(FONT_PIXELS));
            g.setColor(CAPTION_COLOR);
        }
        for (int i = 0; i < images.size(); i++) {
            int x0 = GAP + (i % cols) * (cellW + GAP);
            int y0 = GAP + (i / cols) * (cellH + GAP);
            BufferedImage big = Images.upscale(images.get(i), scale);
            g.drawImage(big, x0 + (cellW - big.getWidth()) / 2, y0, null);
            if (text) {
                FontMetrics fm = g.getFontMetrics();
                List<String> lines = Text.wrap(captions.get(i), fm, cellW - 2, CAPTION_LINES);
                for (int l = 0; l < lines.size(); l++) {
                    int baseline = y0 + h * scale + l * LINE_HEIGHT + fm.getAscent() + 1;
                    Text.drawCentered(g, lines.get(l), x0 + cellW / 2, baseline);
                }
            }
        }
        g.dispose();
        return grid;
    }

    /** Renders the grid and writes it as a PNG file. */
    public static void write(Path png, List<BufferedImage> images, List<String> captions, int columns, int scale) {
        Images.writePng(png, render(images, captions, columns, scale));
    }

    private static int cellWidth(int width, int scale, boolean captioned) {
        return captioned ? Math.max(width * scale, MIN_CAPTION_WIDTH) : width * scale;
    }

    private static int cellHeight(int height, int scale, boolean captioned) {
        return height * scale + (captioned ? CAPTION_LINES * LINE_HEIGHT : 0);
    }
}
