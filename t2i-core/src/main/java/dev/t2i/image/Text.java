package dev.t2i.image;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Shared Java2D text and drawing set-up for the figure writers in this package. */
final class Text {

    private static final Logger LOG = LoggerFactory.getLogger(Text.class);
    private static final String ELLIPSIS = "\u2026";
    private static volatile Boolean available;

    private Text() {
    }

    /** The logical sans-serif font at a pixel size; logical fonts exist on every JVM. */
    static Font font(int pixels) {
        return new Font(Font.SANS_SERIF, Font.PLAIN, pixels);
    }

    /**
     * Whether this JVM can draw text. A minimal container without any font files makes AWT throw
     * an {@link Error} at the first text measurement; figures are still worth writing without
     * their labels, so the writers ask first instead of failing.
     */
    static boolean available() {
        Boolean known = available;
        if (known == null) {
            try {
                Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
                g.getFontMetrics(font(11)).stringWidth("a");
                g.dispose();
                known = true;
            } catch (Throwable e) {
                LOG.warn("no fonts in this JVM ({}): figures are written without text; install a font "
                        + "package (e.g. fonts-dejavu-core) to get labels", e.toString());
                known = false;
            }
            available = known;
        }
        return known;
    }

    /** A white canvas with antialiased shapes and text. */
    static Graphics2D canvas(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        return g;
    }

    /** The text cut to fit {@code maxWidth} pixels, ending in an ellipsis when it was cut. */
    static String ellipsize(String text, FontMetrics fm, int maxWidth) {
        if (fm.stringWidth(text) <= maxWidth) {
            return text;
        }
        int end = text.length();
        while (end > 0 && fm.stringWidth(text.substring(0, end) + ELLIPSIS) > maxWidth) {
            end--;
        }
        return text.substring(0, end).stripTrailing() + ELLIPSIS;
    }

    /**
     * Greedy word wrap into at most {@code maxLines} lines of {@code maxWidth} pixels; text that
     * still does not fit is ellipsized on the last line.
     */
    static List<String> wrap(String text, FontMetrics fm, int maxWidth, int maxLines) {
        List<String> lines = new ArrayList<>();
        String[] words = text.strip().split("\\s+");
        StringBuilder line = new StringBuilder();
        int i = 0;
        while (i < words.length && lines.size() < maxLines - 1) {
            String candidate = line.length() == 0 ? words[i] : line + " " + words[i];
            if (fm.stringWidth(candidate) <= maxWidth || line.length() == 0) {
                line.setLength(0);
                line.append(candidate);
                i++;
            } else {
                lines.add(ellipsize(line.toString(), fm, maxWidth));
                line.setLength(0);
            }
        }
        StringBuilder last = new StringBuilder(line);
        for (; i < words.length; i++) {
            last.append(last.length() == 0 ? "" : " ").append(words[i]);
        }
        if (last.length() > 0) {
            lines.add(ellipsize(last.toString(), fm, maxWidth));
        }
        return lines;
    }

    /** Draws text horizontally centred on {@code centerX} with its baseline at {@code baseline}. */
    static void drawCentered(Graphics2D g, String text, int centerX, int baseline) {
        int width = g.getFontMetrics().stringWidth(text);
        g.drawString(text, centerX - width / 2, baseline);
    }
}
