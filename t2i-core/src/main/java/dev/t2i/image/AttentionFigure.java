package dev.t2i.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A generated image with one cross-attention map per prompt token laid over it: the first tile
 * is the image alone, then one tile per token shows the image at half strength under the
 * token's map in heat colours, captioned above with the token and its share of the attention.
 *
 * <p>Every tile is the image enlarged by the same integer factor (at least {@link #MIN_TILE}
 * pixels a side), so tiles are equal, fit their content and line up with the image's pixels;
 * each caption has its own band above its tile and is cut to the tile's width, so captions
 * never overlap. The geometry is a {@link Layout} that depends only on the tile count and the
 * image size, never on the fonts, so tests check it without rendering text.
 */
public final class AttentionFigure {

    /** Tiles are at least this many pixels a side (the image is enlarged by a whole factor). */
    public static final int MIN_TILE = 160;
    /** Tiles per row before wrapping. */
    public static final int COLUMNS = 6;
    /** Pixels around the figure. */
    public static final int MARGIN = 12;
    /** Pixels between tiles (and between one tile and the next row's caption). */
    public static final int GAP = 10;
    /** The band of the title and its subtitle. */
    public static final int TITLE_HEIGHT = 44;
    /** The band above each tile for its two caption lines. */
    public static final int CAPTION_HEIGHT = 34;
    /** The band under the tiles for the colour bar and how to read it. */
    public static final int LEGEND_HEIGHT = 34;
    /** How much of each heat tile is the heat colour; the rest is the image. */
    public static final double HEAT_ALPHA = 0.5;

    private static final int LEGEND_BAR_WIDTH = 160;
    private static final int LEGEND_BAR_HEIGHT = 10;

    private AttentionFigure() {
    }

    /**
     * Where everything goes.
     *
     * @param width    the figure's width
     * @param height   the figure's height
     * @param scale    the whole-number enlargement of the image in every tile
     * @param title    the title band
     * @param tiles    one square per tile, the image tile first
     * @param captions one band per tile, directly above it and as wide
     * @param legend   the colour-bar band under the tiles
     */
    public record Layout(int width, int height, int scale, Rectangle title, List<Rectangle> tiles,
            List<Rectangle> captions, Rectangle legend) {

        /** The layout of {@code tileCount} tiles of an image {@code imageSize} pixels a side. */
        public static Layout of(int tileCount, int imageSize) {
            if (tileCount < 1 || imageSize < 1) {
                throw new IllegalArgumentException("need at least one tile of at least one pixel, got " + tileCount
                        + " tiles of " + imageSize + " px");
            }
            int scale = Math.max(1, (MIN_TILE + imageSize - 1) / imageSize);
            int side = imageSize * scale;
            int cols = Math.min(COLUMNS, tileCount);
            int rows = (tileCount + cols - 1) / cols;
            int width = 2 * MARGIN + cols * side + (cols - 1) * GAP;
            int top = MARGIN + TITLE_HEIGHT;
            int rowHeight = CAPTION_HEIGHT + side + GAP;
            List<Rectangle> tiles = new ArrayList<>(tileCount);
            List<Rectangle> captions = new ArrayList<>(tileCount);
            for (int i = 0; i < tileCount; i++) {
                int x = MARGIN + (i % cols) * (side + GAP);
                int y = top + (i / cols) * rowHeight;
                captions.add(new Rectangle(x, y, side, CAPTION_HEIGHT));
                tiles.add(new Rectangle(x, y + CAPTION_HEIGHT, side, side));
            }
            int legendY = top + rows * rowHeight;
            Rectangle legend = new Rectangle(MARGIN, legendY, width - 2 * MARGIN, LEGEND_HEIGHT);
            return new Layout(width, legendY + LEGEND_HEIGHT + MARGIN, scale,
                    new Rectangle(MARGIN, MARGIN, width - 2 * MARGIN, TITLE_HEIGHT), List.copyOf(tiles),
                    List.copyOf(captions), legend);
        }
    }

    /**
     * Renders the figure.
     *
     * @param image    the generated image (square)
     * @param tokens   one label per map, as it should read (e.g. {@code "red"} or {@code <end>})
     * @param maps     per token, the attention of each image patch to it, rows × columns of patches;
     *                 each map is coloured from 0 to its own peak
     * @param title    first line of the title band
     * @param subtitle second, smaller line (block, step, heads), or null
     */
    public static BufferedImage render(BufferedImage image, List<String> tokens, List<double[][]> maps, String title,
            String subtitle) {
        if (tokens.size() != maps.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + maps.size() + " maps");
        }
        if (image.getWidth() != image.getHeight()) {
            throw new IllegalArgumentException("the image must be square, got " + image.getWidth() + "x"
                    + image.getHeight());
        }
        Layout layout = Layout.of(1 + maps.size(), image.getWidth());
        BufferedImage big = Images.upscale(image, layout.scale());
        BufferedImage figure = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Text.canvas(figure);
        boolean text = Text.available();

        g.drawImage(big, layout.tiles().get(0).x, layout.tiles().get(0).y, null);
        for (int j = 0; j < maps.size(); j++) {
            Rectangle r = layout.tiles().get(j + 1);
            g.drawImage(overlay(big, maps.get(j)), r.x, r.y, null);
        }
        g.setColor(Color.GRAY);
        for (Rectangle r : layout.tiles()) {
            g.drawRect(r.x - 1, r.y - 1, r.width + 1, r.height + 1);
        }
        drawLegendBar(g, layout.legend());
        if (text) {
            drawTitle(g, layout.title(), title, subtitle);
            caption(g, layout.captions().get(0), "generated image", "the final step");
            for (int j = 0; j < maps.size(); j++) {
                double[] stats = meanAndPeak(maps.get(j));
                caption(g, layout.captions().get(j + 1), tokens.get(j), String.format(Locale.ROOT,
                        "%.0f%% of attention · peak %.2f", 100 * stats[0], stats[1]));
            }
            drawLegendText(g, layout.legend());
        }
        g.dispose();
        return figure;
    }

    /** Renders the figure and writes it as a PNG file. */
    public static void write(Path png, BufferedImage image, List<String> tokens, List<double[][]> maps, String title,
            String subtitle) {
        Images.writePng(png, render(image, tokens, maps, title, subtitle));
    }

    /**
     * The enlarged image with the map over it: the map is sampled bilinearly between patch
     * centres (so it reads as a field, not as blocks of patches), coloured from 0 to its peak and
     * mixed with the image at {@link #HEAT_ALPHA}, which keeps the image visible under it.
     */
    static BufferedImage overlay(BufferedImage big, double[][] map) {
        int side = big.getWidth();
        int rows = map.length;
        int cols = map[0].length;
        double peak = Math.max(1e-12, meanAndPeak(map)[1]);
        int[] rgb = big.getRGB(0, 0, side, side, null, 0, side);
        for (int y = 0; y < side; y++) {
            double v = (y + 0.5) * rows / side - 0.5;
            for (int x = 0; x < side; x++) {
                double u = (x + 0.5) * cols / side - 0.5;
                Color heat = Heatmap.color(bilinear(map, v, u) / peak, 0, 1);
                int p = rgb[y * side + x];
                rgb[y * side + x] = mix((p >> 16) & 0xFF, heat.getRed()) << 16
                        | mix((p >> 8) & 0xFF, heat.getGreen()) << 8 | mix(p & 0xFF, heat.getBlue());
            }
        }
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, side, side, rgb, 0, side);
        return out;
    }

    private static int mix(int image, int heat) {
        return (int) Math.round((1 - HEAT_ALPHA) * image + HEAT_ALPHA * heat);
    }

    private static double bilinear(double[][] m, double row, double col) {
        int r0 = clamp((int) Math.floor(row), m.length);
        int c0 = clamp((int) Math.floor(col), m[0].length);
        int r1 = clamp(r0 + 1, m.length);
        int c1 = clamp(c0 + 1, m[0].length);
        double fr = Math.max(0, Math.min(1, row - r0));
        double fc = Math.max(0, Math.min(1, col - c0));
        double top = m[r0][c0] * (1 - fc) + m[r0][c1] * fc;
        double bottom = m[r1][c0] * (1 - fc) + m[r1][c1] * fc;
        return top * (1 - fr) + bottom * fr;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }

    /** The map's mean (the token's share of the attention, as each patch's weights sum to 1) and peak. */
    static double[] meanAndPeak(double[][] map) {
        double sum = 0;
        double peak = 0;
        int n = 0;
        for (double[] row : map) {
            for (double v : row) {
                sum += v;
                peak = Math.max(peak, v);
                n++;
            }
        }
        return new double[] {sum / n, peak};
    }

    private static void drawTitle(Graphics2D g, Rectangle band, String title, String subtitle) {
        g.setColor(Color.BLACK);
        g.setFont(Text.font(16).deriveFont(Font.BOLD));
        FontMetrics fm = g.getFontMetrics();
        g.drawString(Text.ellipsize(title, fm, band.width), band.x, band.y + fm.getAscent());
        if (subtitle != null) {
            g.setColor(new Color(70, 70, 70));
            g.setFont(Text.font(12));
            FontMetrics small = g.getFontMetrics();
            g.drawString(Text.ellipsize(subtitle, small, band.width), band.x, band.y + 22 + small.getAscent());
        }
    }

    private static void caption(Graphics2D g, Rectangle band, String label, String detail) {
        g.setColor(Color.BLACK);
        g.setFont(Text.font(14).deriveFont(Font.BOLD));
        FontMetrics fm = g.getFontMetrics();
        g.drawString(Text.ellipsize(label, fm, band.width), band.x, band.y + fm.getAscent());
        g.setColor(new Color(70, 70, 70));
        g.setFont(Text.font(11));
        FontMetrics small = g.getFontMetrics();
        g.drawString(Text.ellipsize(detail, small, band.width), band.x, band.y + 17 + small.getAscent());
    }

    private static void drawLegendBar(Graphics2D g, Rectangle band) {
        int x = band.x + 18;
        int y = band.y + 4;
        for (int i = 0; i < LEGEND_BAR_WIDTH; i++) {
            g.setColor(Heatmap.color(i / (LEGEND_BAR_WIDTH - 1.0), 0, 1));
            g.fillRect(x + i, y, 1, LEGEND_BAR_HEIGHT);
        }
        g.setColor(Color.GRAY);
        g.drawRect(x, y, LEGEND_BAR_WIDTH, LEGEND_BAR_HEIGHT);
    }

    private static void drawLegendText(Graphics2D g, Rectangle band) {
        g.setFont(Text.font(11));
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        int baseline = band.y + 4 + LEGEND_BAR_HEIGHT - 1;
        g.drawString("0", band.x + 18 - fm.stringWidth("0") - 4, baseline);
        int afterBar = band.x + 18 + LEGEND_BAR_WIDTH + 4;
        g.drawString("the token's peak", afterBar, baseline);
        String how = "each map is coloured from 0 to its own peak over the image at half strength; % is the token's"
                + " share of the patches' attention";
        g.setColor(new Color(70, 70, 70));
        g.drawString(Text.ellipsize(how, fm, band.width), band.x, band.y + 4 + LEGEND_BAR_HEIGHT + 4 + fm.getAscent());
    }
}
