package dev.t2i.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Draws one or more x–y series as lines on shared axes with ticks, labels, a grid and a legend:
 * a loss curve (x = step, y = loss), perhaps with a smoothed or validation series beside it.
 */
public final class LinePlot {

    /** Default figure size in pixels. */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 480;

    /** Margins around the plot area, in pixels (package-private for the tests). */
    static final int LEFT = 72;
    static final int RIGHT = 24;
    static final int TOP = 40;
    static final int BOTTOM = 56;
    private static final int TARGET_TICKS = 6;
    private static final Color[] COLOURS = {
        new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75)};

    /** One named line; x and y have the same length; non-finite points are left out. */
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values but "
                        + y.length + " y values");
            }
        }
    }

    private LinePlot() {
    }

    /** A single unnamed series. */
    public static BufferedImage render(double[] x, double[] y, String title, String xLabel, String yLabel) {
        return render(List.of(new Series(null, x, y)), title, xLabel, yLabel);
    }

    /** Several series on the same axes; a legend appears when any series has a name. */
    public static BufferedImage render(List<Series> series, String title, String xLabel, String yLabel) {
        double[] range = range(series);
        double[] xTicks = ticks(range[0], range[1]);
        double[] yTicks = ticks(range[2], range[3]);
        double x0 = xTicks[0];
        double x1 = xTicks[xTicks.length - 1];
        double y0 = yTicks[0];
        double y1 = yTicks[yTicks.length - 1];
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Text.canvas(image);
        boolean text = Text.available();
        g.setStroke(new BasicStroke(1f));
        g.setFont(Text.font(11));
        FontMetrics fm = text ? g.getFontMetrics() : null;
        int xDecimals = decimals(xTicks);
        int yDecimals = decimals(yTicks);
        for (double t : xTicks) {
            int px = LEFT + (int) Math.round((t - x0) / (x1 - x0) * plotW);
            g.setColor(new Color(232, 232, 232));
            g.drawLine(px, TOP, px, TOP + plotH);
            g.setColor(Color.DARK_GRAY);
            g.drawLine(px, TOP + plotH, px, TOP + plotH + 4);
            if (text) {
                Text.drawCentered(g, format(t, xDecimals), px, TOP + plotH + 6 + fm.getAscent());
            }
        }
        for (double t : yTicks) {
            int py = TOP + plotH - (int) Math.round((t - y0) / (y1 - y0) * plotH);
            g.setColor(new Color(232, 232, 232));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.DARK_GRAY);
            g.drawLine(LEFT - 4, py, LEFT, py);
            if (text) {
                String s = format(t, yDecimals);
                g.drawString(s, LEFT - 7 - fm.stringWidth(s), py + (fm.getAscent() - fm.getDescent()) / 2);
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(LEFT, TOP, plotW, plotH);

        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int s = 0; s < series.size(); s++) {
            g.setColor(COLOURS[s % COLOURS.length]);
            g.draw(line(series.get(s), x0, x1, y0, y1, plotW, plotH));
        }
        if (text) {
            drawLabels(g, title, xLabel, yLabel, plotW, plotH);
            drawLegend(g, series, plotW);
        }
        g.dispose();
        return image;
    }

    /** Renders a single series and writes a PNG file. */
    public static void write(Path png, double[] x, double[] y, String title, String xLabel, String yLabel) {
        Images.writePng(png, render(x, y, title, xLabel, yLabel));
    }

    /** Renders several series and writes a PNG file. */
    public static void write(Path png, List<Series> series, String title, String xLabel, String yLabel) {
        Images.writePng(png, render(series, title, xLabel, yLabel));
    }

    /**
     * Tick positions at a "nice" step (1, 2 or 5 times a power of ten) that cover [lo, hi] with
     * about {@value #TARGET_TICKS} ticks; the first and last ticks are the axis limits.
     */
    static double[] ticks(double lo, double hi) {
        if (hi <= lo) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / (TARGET_TICKS - 1);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude * (raw / magnitude <= 1 ? 1 : raw / magnitude <= 2 ? 2 : raw / magnitude <= 5 ? 5 : 10);
        double first = Math.floor(lo / step + 1e-9) * step;
        double last = Math.ceil(hi / step - 1e-9) * step;
        int n = (int) Math.round((last - first) / step) + 1;
        double[] ticks = new double[n];
        for (int i = 0; i < n; i++) {
            ticks[i] = first + i * step;
        }
        return ticks;
    }

    private static Path2D line(Series s, double x0, double x1, double y0, double y1, int plotW, int plotH) {
        Path2D.Double path = new Path2D.Double();
        boolean penDown = false;
        for (int i = 0; i < s.x().length; i++) {
            double x = s.x()[i];
            double y = s.y()[i];
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                penDown = false;
                continue;
            }
            double px = LEFT + (x - x0) / (x1 - x0) * plotW;
            double py = TOP + plotH - (y - y0) / (y1 - y0) * plotH;
            if (penDown) {
                path.lineTo(px, py);
            } else {
                path.moveTo(px, py);
                penDown = true;
            }
        }
        return path;
    }

    private static void drawLabels(Graphics2D g, String title, String xLabel, String yLabel, int plotW, int plotH) {
        g.setColor(Color.BLACK);
        if (title != null) {
            g.setFont(Text.font(15));
            Text.drawCentered(g, title, LEFT + plotW / 2, TOP - 14);
        }
        g.setFont(Text.font(13));
        if (xLabel != null) {
            Text.drawCentered(g, xLabel, LEFT + plotW / 2, HEIGHT - 12);
        }
        if (yLabel != null) {
            AffineTransform saved = g.getTransform();
            g.translate(18, TOP + plotH / 2);
            g.rotate(-Math.PI / 2);
            Text.drawCentered(g, yLabel, 0, 0);
            g.setTransform(saved);
        }
    }

    private static void drawLegend(Graphics2D g, List<Series> series, int plotW) {
        if (series.stream().allMatch(s -> s.name() == null)) {
            return;
        }
        g.setFont(Text.font(11));
        FontMetrics fm = g.getFontMetrics();
        int width = 0;
        for (Series s : series) {
            width = Math.max(width, fm.stringWidth(String.valueOf(s.name())));
        }
        int boxW = width + 36;
        int boxH = series.size() * 16 + 8;
        int bx = LEFT + plotW - boxW - 8;
        int by = TOP + 8;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(bx, by, boxW, boxH);
        g.setColor(Color.LIGHT_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(bx, by, boxW, boxH);
        for (int i = 0; i < series.size(); i++) {
            int y = by + 12 + i * 16;
            g.setColor(COLOURS[i % COLOURS.length]);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(bx + 6, y, bx + 24, y);
            g.setColor(Color.BLACK);
            g.drawString(String.valueOf(series.get(i).name()), bx + 30, y + 4);
        }
    }

    /** Data limits {xMin, xMax, yMin, yMax} over all finite points. */
    private static double[] range(List<Series> series) {
        double[] r = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    r[0] = Math.min(r[0], s.x()[i]);
                    r[1] = Math.max(r[1], s.x()[i]);
                    r[2] = Math.min(r[2], s.y()[i]);
                    r[3] = Math.max(r[3], s.y()[i]);
                }
            }
        }
        if (r[0] > r[1]) {
            throw new IllegalArgumentException("no finite points to plot");
        }
        return r;
    }

    private static int decimals(double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        return Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
    }

    private static String format(double v, int decimals) {
        if (Math.abs(v) < 1e-12) {
            v = 0; // no "-0.00" at the origin
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
