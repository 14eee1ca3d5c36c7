package dev.t2i.image;

import java.awt.Color;
import java.awt.Dimension;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Point;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Lays images out in a grid with an optional caption under each, for sample sheets.
 *
 * <p>Images are enlarged by an integer factor with nearest-neighbour sampling (32×32 samples are
 * too small to judge otherwise). The pixel size depends only on the arguments, never on the
 * fonts, so callers and tests can rely on {@link #size}: every cell fits the largest image, so
 * it is {@code max(width·scale, MIN_CAPTION_WIDTH)} wide when captioned ({@code width·scale} when
 * not) and {@code height·scale + CAPTION_LINES·LINE_HEIGHT} high when captioned, where width and
 * height are the largest among the images; smaller images sit centred at the top of their cell.
 * Cells are separated and surrounded by {@link #GAP} pixels. A title adds
 * {@link #TITLE_HEIGHT} pixels on top and makes the grid at least {@link #MIN_TITLE_WIDTH} wide.
 */
public final class ImageGrid {

    /** Pixels between cells and around the grid. */
    public static final int GAP = 4;
    /** Captions are wrapped to at most this many lines; the rest is ellipsized. */
    public static final int CAPTION_LINES = 2;
    /** Height of one caption line in pixels. */
    public static final int LINE_HEIGHT = 13;
    /** Captioned cells are at least this wide, so short images still get readable captions. */
    public static final int MIN_CAPTION_WIDTH = 96;
    /** Height of the title band (two lines) when the grid has a title. */
    public static final int TITLE_HEIGHT = 38;
    /** A titled grid is at least this wide, so a title naming a prompt fits on two lines. */
    public static final int MIN_TITLE_WIDTH = 360;

    private static final int FONT_PIXELS = 11;
    private static final int TITLE_PIXELS = 14;
    private static final int TITLE_LINE_HEIGHT = 17;
    private static final Color CAPTION_COLOR = new Color(40, 40, 40);

    private ImageGrid() {
    }

    /** The grid's pixel size for {@code count} images of at most {@code width×height}, untitled. */
    public static Dimension size(int count, int width, int height, int columns, int scale, boolean captioned) {
        return size(count, width, height, columns, scale, captioned, false);
    }

    /** The grid's pixel size for {@code count} images of at most {@code width×height}. */
    public static Dimension size(int count, int width, int height, int columns, int scale, boolean captioned,
            boolean titled) {
        int cols = Math.max(1, Math.min(columns, count));
        int rows = (count + cols - 1) / cols;
        int cellW = cellWidth(width, scale, captioned);
        int cellH = cellHeight(height, scale, captioned);
        int cellsWidth = cols * cellW + (cols + 1) * GAP;
        return new Dimension(titled ? Math.max(cellsWidth, MIN_TITLE_WIDTH) : cellsWidth,
                rows * cellH + (rows + 1) * GAP + (titled ? TITLE_HEIGHT : 0));
    }

    /**
     * Where cell {@code index} starts: its top-left corner in a grid of {@link #size} (the cells
     * are centred when a title makes the grid wider than they are).
     */
    public static Point cellOrigin(int index, int count, int width, int height, int columns, int scale,
            boolean captioned, boolean titled) {
        int cols = Math.max(1, Math.min(columns, count));
        int cellW = cellWidth(width, scale, captioned);
        int cellH = cellHeight(height, scale, captioned);
        int cellsWidth = cols * cellW + (cols + 1) * GAP;
        int left = (size(count, width, height, columns, scale, captioned, titled).width - cellsWidth) / 2;
        return new Point(left + GAP + (index % cols) * (cellW + GAP),
                (titled ? TITLE_HEIGHT : 0) + GAP + (index / cols) * (cellH + GAP));
    }

    /** Renders the grid without a title; see {@link #render(List, List, int, int, String)}. */
    public static BufferedImage render(List<BufferedImage> images, List<String> captions, int columns, int scale) {
        return render(images, captions, columns, scale, null);
    }

    /**
     * Renders the grid.
     *
     * @param images   the images; cells fit the widest and the tallest
     * @param captions one caption per image, or null for none
     * @param columns  images per row (fewer if there are fewer images)
     * @param scale    integer nearest-neighbour enlargement, at least 1
     * @param title    a line (wrapped to two) above the grid, or null for none
     */
    public static BufferedImage render(List<BufferedImage> images, List<String> captions, int columns, int scale,
            String title) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images for the grid");
        }
        if (captions != null && captions.size() != images.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + captions.size() + " captions");
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be at least 1, got " + columns);
        }
        // every cell fits the largest image: sizing cells from the first image let larger ones
        // spill over their neighbours and captions
        int w = images.stream().mapToInt(BufferedImage::getWidth).max().orElseThrow();
        int h = images.stream().mapToInt(BufferedImage::getHeight).max().orElseThrow();
        boolean captioned = captions != null;
        boolean titled = title != null && !title.isBlank();
        Dimension size = size(images.size(), w, h, columns, scale, captioned, titled);
        int cellW = cellWidth(w, scale, captioned);

        BufferedImage grid = new BufferedImage(size.width, size.height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Text.canvas(grid);
        boolean text = Text.available();
        if (titled && text) {
            g.setFont(Text.font(TITLE_PIXELS));
            g.setColor(Color.BLACK);
            FontMetrics fm = g.getFontMetrics();
            List<String> lines = Text.wrap(title, fm, size.width - 2 * GAP, 2);
            for (int l = 0; l < lines.size(); l++) {
                Text.drawCentered(g, lines.get(l), size.width / 2, GAP + fm.getAscent() + l * TITLE_LINE_HEIGHT);
            }
        }
        g.setFont(Text.font(FONT_PIXELS));
        g.setColor(CAPTION_COLOR);
        for (int i = 0; i < images.size(); i++) {
            Point origin = cellOrigin(i, images.size(), w, h, columns, scale, captioned, titled);
            BufferedImage big = Images.upscale(images.get(i), scale);
            g.drawImage(big, origin.x + (cellW - big.getWidth()) / 2, origin.y, null);
            if (captioned && text) {
                FontMetrics fm = g.getFontMetrics();
                List<String> lines = Text.wrap(captions.get(i), fm, cellW - 2, CAPTION_LINES);
                for (int l = 0; l < lines.size(); l++) {
                    int baseline = origin.y + h * scale + l * LINE_HEIGHT + fm.getAscent() + 1;
                    Text.drawCentered(g, lines.get(l), origin.x + cellW / 2, baseline);
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

    /** Renders the grid with a title and writes it as a PNG file. */
    public static void write(Path png, List<BufferedImage> images, List<String> captions, int columns, int scale,
            String title) {
        Images.writePng(png, render(images, captions, columns, scale, title));
    }

    private static int cellWidth(int width, int scale, boolean captioned) {
        return captioned ? Math.max(width * scale, MIN_CAPTION_WIDTH) : width * scale;
    }

    private static int cellHeight(int height, int scale, boolean captioned) {
        return height * scale + (captioned ? CAPTION_LINES * LINE_HEIGHT : 0);
    }
}
