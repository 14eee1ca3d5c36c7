package dev.t2i.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a matrix as colour-mapped cells with row and column labels, the value printed in each
 * cell when cells are large enough, and a colour bar: for a caption–image cosine-similarity
 * matrix or an attention map.
 *
 * <p>A range that straddles zero uses a diverging blue–white–red map with white at zero (so
 * the sign of a similarity is visible at a glance); a one-signed range uses a sequential
 * dark-purple-to-yellow map (attention weights).
 */
public final class Heatmap {

    private static final int TARGET_MATRIX_PIXELS = 640;
    private static final int MIN_CELL = 6;
    private static final int MAX_CELL = 44;
    private static final int MIN_CELL_FOR_VALUES = 28;
    private static final int MAX_LABEL_WIDTH = 160;
    private static final int MARGIN = 10;
    private static final int BAR_WIDTH = 14;
    private static final int TITLE_PIXELS = 14;
    private static final int TITLE_LINE_HEIGHT = 18;
    /** The title is wrapped to at most this many lines. */
    static final int TITLE_LINES = 3;
    /** A narrow matrix is widened up to this many pixels for its title. */
    static final int MAX_TITLE_WIDTH = 560;

    /** Anchors of the sequential map, dark to light (the perceptual ramp popularised as viridis). */
    private static final int[][] SEQUENTIAL = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    private static final int[] NEGATIVE = {33, 102, 172};
    private static final int[] POSITIVE = {178, 24, 43};

    private Heatmap() {
    }

    /** Renders with the range taken from the data (symmetric around zero if any value is negative). */
    public static BufferedImage render(double[][] values, List<String> rowLabels, List<String> colLabels, String title) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) {
            min = 0;
            max = 1;
        } else if (min < 0) {
            double abs = Math.max(Math.abs(min), Math.abs(max));
            min = -abs;
            max = abs;
        }
        if (min == max) {
            max = min + 1;
        }
        return render(values, rowLabels, colLabels, title, min, max);
    }

    /**
     * Renders with a fixed value range (e.g. [-1, 1] for cosine similarity, [0, 1] for attention).
     *
     * @param values    rows × columns; NaN cells are drawn grey
     * @param rowLabels one per row, or null for row numbers
     * @param colLabels one per column, or null for column numbers
     */
    public static BufferedImage render(double[][] values, List<String> rowLabels, List<String> colLabels,
                                       String title, double min, double max) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        if (rows == 0 || cols == 0) {
            throw new IllegalArgumentException("empty matrix for the heatmap");
        }
        for (double[] row : values) {
            if (row.length != cols) {
                throw new IllegalArgumentException("ragged matrix: rows of " + cols + " and " + row.length);
            }
        }
        if (!(max > min)) {
            throw new IllegalArgumentException("heatmap range must have max > min, got [" + min + ", " + max + "]");
        }
        List<String> rowNames = labels(rowLabels, rows, "row");
        List<String> colNames = labels(colLabels, cols, "column");
        boolean text = Text.available();
        Layout at = layout(rows, cols, rowNames, colNames, title, text);
        int cell = at.cell();
        int labelPx = at.labelPx();
        int matrixX = at.matrixX();
        int matrixY = at.matrixY();
        int barX = at.barX();
        int width = at.width();
        int height = at.height();

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Text.canvas(image);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = values[r][c];
                g.setColor(Double.isNaN(v) ? Color.LIGHT_GRAY : color(v, min, max));
                g.fillRect(matrixX + c * cell, matrixY + r * cell, cell, cell);
            }
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(matrixX, matrixY, cols * cell, rows * cell);
        drawColorBar(g, barX, matrixY, Math.max(rows * cell, 120), min, max, text);
        if (text) {
            g.setFont(Text.font(TITLE_PIXELS));
            g.setColor(Color.BLACK);
            for (int l = 0; l < at.titleLines().size(); l++) {
                g.drawString(at.titleLines().get(l), MARGIN, MARGIN + TITLE_PIXELS + l * TITLE_LINE_HEIGHT);
            }
            drawLabels(g, rowNames, colNames, labelPx, cell, matrixX, matrixY, at.verticalColLabels());
            if (cell >= MIN_CELL_FOR_VALUES) {
                drawValues(g, values, cell, matrixX, matrixY, min, max);
            }
        }
        g.dispose();
        return image;
    }

    /**
     * Where the parts of a heatmap go.
     *
     * @param width             the image's width: the matrix, labels and colour bar, and at least
     *                          what the title needs (up to {@link #MAX_TITLE_WIDTH})
     * @param height            the image's height
     * @param cell              side of one matrix cell
     * @param labelPx           label font size
     * @param matrixX           left edge of the matrix
     * @param matrixY           top edge of the matrix
     * @param barX              left edge of the colour bar
     * @param titleLines        the title wrapped to the width (at most {@link #TITLE_LINES} lines)
     * @param verticalColLabels whether column labels are turned to read bottom-to-top
     */
    record Layout(int width, int height, int cell, int labelPx, int matrixX, int matrixY, int barX,
            List<String> titleLines, boolean verticalColLabels) {
    }

    /** The layout of a rows × cols heatmap with these labels and title; fonts are measured when {@code text}. */
    static Layout layout(int rows, int cols, List<String> rowNames, List<String> colNames, String title,
            boolean text) {
        int cell = Math.max(MIN_CELL, Math.min(MAX_CELL, TARGET_MATRIX_PIXELS / Math.max(rows, cols)));
        int labelPx = Math.max(7, Math.min(12, (int) (cell * 0.7)));
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D measure = scratch.createGraphics();
        FontMetrics labelFm = text ? measure.getFontMetrics(Text.font(labelPx)) : null;
        int rowLabelWidth = text ? Math.min(MAX_LABEL_WIDTH, maxWidth(rowNames, labelFm)) + 6 : 0;
        int colLabelWidth = text ? Math.min(MAX_LABEL_WIDTH, maxWidth(colNames, labelFm)) : 0;
        boolean verticalColLabels = colLabelWidth > cell - 2;
        int colLabelHeight = text ? (verticalColLabels ? colLabelWidth : labelFm.getHeight()) + 6 : 0;

        int matrixX = MARGIN + rowLabelWidth;
        int barX = matrixX + cols * cell + 12;
        int width = barX + BAR_WIDTH + (text ? 48 : 0) + MARGIN;
        List<String> titleLines = List.of();
        if (text && title != null && !title.isBlank()) {
            // a small matrix is narrower than its title: widen the image (up to a limit) and wrap
            // the title, rather than cut it off at the matrix's width
            FontMetrics titleFm = measure.getFontMetrics(Text.font(TITLE_PIXELS));
            width = Math.max(width, Math.min(MAX_TITLE_WIDTH, titleFm.stringWidth(title) + 2 * MARGIN + 2));
            titleLines = Text.wrap(title, titleFm, width - 2 * MARGIN, TITLE_LINES);
        }
        measure.dispose();
        int titleHeight = titleLines.isEmpty() ? 0 : titleLines.size() * TITLE_LINE_HEIGHT + 6;
        int matrixY = MARGIN + titleHeight + colLabelHeight;
        int height = Math.max(matrixY + rows * cell, matrixY + 120) + MARGIN;
        return new Layout(width, height, cell, labelPx, matrixX, matrixY, barX, titleLines, verticalColLabels);
    }

    /** Renders with a fixed range and writes a PNG file. */
    public static void write(Path png, double[][] values, List<String> rowLabels, List<String> colLabels,
                             String title, double min, double max) {
        Images.writePng(png, render(values, rowLabels, colLabels, title, min, max));
    }

    /** Renders with the range taken from the data and writes a PNG file. */
    public static void write(Path png, double[][] values, List<String> rowLabels, List<String> colLabels, String title) {
        Images.writePng(png, render(values, rowLabels, colLabels, title));
    }

    /** The map's colour for a value within [min, max] (values outside are clamped). */
    static Color color(double v, double min, double max) {
        if (min < 0 && max > 0) {
            if (v < 0) {
                return mix(new int[] {255, 255, 255}, NEGATIVE, Math.min(1, v / min));
            }
            return mix(new int[] {255, 255, 255}, POSITIVE, Math.min(1, v / max));
        }
        double t = Math.max(0, Math.min(1, (v - min) / (max - min))) * (SEQUENTIAL.length - 1);
        int i = Math.min(SEQUENTIAL.length - 2, (int) t);
        return mix(SEQUENTIAL[i], SEQUENTIAL[i + 1], t - i);
    }

    private static Color mix(int[] a, int[] b, double t) {
        return new Color(
                (int) Math.round(a[0] + (b[0] - a[0]) * t),
                (int) Math.round(a[1] + (b[1] - a[1]) * t),
                (int) Math.round(a[2] + (b[2] - a[2]) * t));
    }

    private static void drawColorBar(Graphics2D g, int x, int y, int height, double min, double max, boolean text) {
        for (int i = 0; i < height; i++) {
            double v = max - (max - min) * i / (height - 1.0);
            g.setColor(color(v, min, max));
            g.fillRect(x, y + i, BAR_WIDTH, 1);
        }
        g.setColor(Color.GRAY);
        g.drawRect(x, y, BAR_WIDTH, height);
        if (text) {
            g.setFont(Text.font(10));
            g.setColor(Color.BLACK);
            g.drawString(format(max), x + BAR_WIDTH + 4, y + 9);
            if (min < 0 && max > 0) {
                g.drawString("0", x + BAR_WIDTH + 4, y + (int) (height * max / (max - min)) + 4);
            }
            g.drawString(format(min), x + BAR_WIDTH + 4, y + height);
        }
    }

    private static void drawLabels(Graphics2D g, List<String> rowNames, List<String> colNames, int labelPx,
                                   int cell, int matrixX, int matrixY, boolean vertical) {
        g.setFont(Text.font(labelPx));
        g.setColor(Color.BLACK);
        FontMetrics fm = g.getFontMetrics();
        int textMid = (fm.getAscent() - fm.getDescent()) / 2;
        for (int r = 0; r < rowNames.size(); r++) {
            String s = Text.ellipsize(rowNames.get(r), fm, MAX_LABEL_WIDTH);
            g.drawString(s, matrixX - 6 - fm.stringWidth(s), matrixY + r * cell + cell / 2 + textMid);
        }
        for (int c = 0; c < colNames.size(); c++) {
            String s = Text.ellipsize(colNames.get(c), fm, MAX_LABEL_WIDTH);
            int cx = matrixX + c * cell + cell / 2;
            if (vertical) {
                // read bottom-to-top, ending just above the column it names
                AffineTransform saved = g.getTransform();
                g.translate(cx + textMid, matrixY - 6);
                g.rotate(-Math.PI / 2);
                g.drawString(s, 0, 0);
                g.setTransform(saved);
            } else {
                Text.drawCentered(g, s, cx, matrixY - 6 - fm.getDescent());
            }
        }
    }

    private static void drawValues(Graphics2D g, double[][] values, int cell, int matrixX, int matrixY,
                                   double min, double max) {
        g.setFont(Text.font(Math.min(12, cell / 3)));
        FontMetrics fm = g.getFontMetrics();
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < values[r].length; c++) {
                double v = values[r][c];
                Color bg = Double.isNaN(v) ? Color.LIGHT_GRAY : color(v, min, max);
                double luminance = 0.299 * bg.getRed() + 0.587 * bg.getGreen() + 0.114 * bg.getBlue();
                g.setColor(luminance < 128 ? Color.WHITE : Color.BLACK);
                int baseline = matrixY + r * cell + (cell + fm.getAscent() - fm.getDescent()) / 2;
                Text.drawCentered(g, format(v), matrixX + c * cell + cell / 2, baseline);
            }
        }
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static int maxWidth(List<String> names, FontMetrics fm) {
        int w = 0;
        for (String s : names) {
            w = Math.max(w, fm.stringWidth(s));
        }
        return w;
    }

    private static List<String> labels(List<String> given, int n, String what) {
        if (given == null) {
            List<String> numbers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                numbers.add(Integer.toString(i));
            }
            return numbers;
        }
        if (given.size() != n) {
            throw new IllegalArgumentException(n + " " + what + "s but " + given.size() + " " + what + " labels");
        }
        return given;
    }
}
