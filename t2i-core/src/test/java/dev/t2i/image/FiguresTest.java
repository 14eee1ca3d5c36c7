package dev.t2i.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Sample grids, heatmaps and line plots: sizes, and files to look at in target/test-output. */
class FiguresTest {
    private static final Path OUT = Path.of("target/test-output");

    private static List<BufferedImage> squares(int count, int side) {
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    image.setRGB(x, y, (i * 25) << 16 | (x * 8) << 8 | y * 8);
                }
            }
            images.add(image);
        }
        return images;
    }

    @Test
    void gridHasThePixelSizeOfItsLayout() throws IOException {
        List<BufferedImage> images = squares(10, 32);
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            captions.add(i == 3 ? "a photo of an automobile parked beside a very long and winding road at dusk" : "a photo of a cat");
        }
        Path png = OUT.resolve("grid.png");
        ImageGrid.write(png, images, captions, 4, 2);
        BufferedImage grid = ImageIO.read(png.toFile());
        // cells max(64, 96) × (64 + 2·13), 4 columns and 3 rows, 4 px gaps
        assertEquals(4 * 96 + 5 * 4, grid.getWidth());
        assertEquals(3 * (64 + 26) + 4 * 4, grid.getHeight());
        assertEquals(new Dimension(grid.getWidth(), grid.getHeight()), ImageGrid.size(10, 32, 32, 4, 2, true));
        // image 0 sits centred in its cell: (96 - 64) / 2 = 16 px in, top at the gap
        assertEquals(images.get(0).getRGB(5, 7), grid.getRGB(4 + 16 + 5 * 2, 4 + 7 * 2));

        BufferedImage plain = ImageGrid.render(images, null, 5, 4);
        assertEquals(5 * 128 + 6 * 4, plain.getWidth());
        assertEquals(2 * 128 + 3 * 4, plain.getHeight());
        assertEquals(images.get(6).getRGB(31, 0), plain.getRGB(4 + 132 + 31 * 4 + 3, 4 + 132));
    }

    @Test
    void gridCellsFitTheLargestImageNotTheFirst() {
        // the attention command once put 400-px heatmaps into cells sized from a 96-px first image
        List<BufferedImage> images = squares(3, 8);
        images.add(1, squares(1, 40).get(0));
        List<String> captions = List.of("small", "large", "small", "small");
        BufferedImage grid = ImageGrid.render(images, captions, 2, 2);
        int cell = 80; // the 40-px image at scale 2: cells max(80, MIN_CAPTION_WIDTH 96) wide, 80 + 2·13 high
        assertEquals(new Dimension(2 * 96 + 3 * 4, 2 * (cell + 26) + 3 * 4), ImageGrid.size(4, 40, 40, 2, 2, true));
        assertEquals(ImageGrid.size(4, 40, 40, 2, 2, true), new Dimension(grid.getWidth(), grid.getHeight()));
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            java.awt.Point at = ImageGrid.cellOrigin(i, 4, 40, 40, 2, 2, true, false);
            int left = at.x + (96 - image.getWidth() * 2) / 2;
            // every image is whole in its cell: its corners are where the layout puts them
            assertEquals(image.getRGB(0, 0), grid.getRGB(left, at.y), "image " + i + " top-left");
            int last = image.getWidth() - 1;
            assertEquals(image.getRGB(last, last), grid.getRGB(left + 2 * last + 1, at.y + 2 * last + 1),
                    "image " + i + " bottom-right");
            for (int j = i + 1; j < images.size(); j++) {
                java.awt.Point other = ImageGrid.cellOrigin(j, 4, 40, 40, 2, 2, true, false);
                assertFalse(new java.awt.Rectangle(at.x, at.y, 96, cell + 26).intersects(
                        new java.awt.Rectangle(other.x, other.y, 96, cell + 26)), "cells " + i + " and " + j);
            }
        }
    }

    @Test
    void titledGridKeepsItsCellsClearOfTheTitle() {
        List<BufferedImage> images = squares(4, 8);
        BufferedImage grid = ImageGrid.render(images, List.of("cfg 1.0", "cfg 1.0", "cfg 4.0", "cfg 4.0"), 2, 12,
                "guidance sweep of \"a red circle\": one row per scale, seed 0, 20 euler steps");
        Dimension size = ImageGrid.size(4, 8, 8, 2, 12, true, true);
        assertEquals(size, new Dimension(grid.getWidth(), grid.getHeight()));
        assertEquals(ImageGrid.MIN_TITLE_WIDTH, size.width, "a narrow grid widens for its title");
        java.awt.Point first = ImageGrid.cellOrigin(0, 4, 8, 8, 2, 12, true, true);
        assertTrue(first.y >= ImageGrid.TITLE_HEIGHT, "cells start under the title band");
        assertEquals(images.get(0).getRGB(3, 3), grid.getRGB(first.x + 3 * 12, first.y + 3 * 12));
        if (Text.available()) {
            assertTrue(darkPixels(grid, 0, 0, size.width, ImageGrid.TITLE_HEIGHT) > 50, "the title is drawn");
        }
        Images.writePng(OUT.resolve("grid-titled.png"), grid);
    }

    @Test
    void attentionFigureShowsTheImageUnderEveryMapWithCaptionsClearOfEachOther() throws IOException {
        int side = 16;
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, ((x / 2 + y / 2) % 2 == 0) ? 0xFFFFFF : 0x000000); // 2-px checkerboard
            }
        }
        List<String> tokens = List.of("<start>", "\"a\"", "\"red\"", "\"circle\"", "\"a very long token"
                + " that cannot fit\"", "\"x\"", "\"y\"", "<end>");
        List<double[][]> maps = new ArrayList<>();
        for (int t = 0; t < tokens.size(); t++) {
            double[][] m = new double[8][8];
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    m[r][c] = Math.exp(-((r - t) * (r - t) + (c - 4) * (c - 4)) / 6.0) / tokens.size();
                }
            }
            maps.add(m);
        }
        Path png = OUT.resolve("attention.png");
        AttentionFigure.write(png, image, tokens, maps, "cross-attention of \"a red circle\"",
                "block 1 of blocks 0-1, Euler step 10 of 20, cfg 7.5, seed 0; mean over 4 heads");
        BufferedImage figure = ImageIO.read(png.toFile());
        AttentionFigure.Layout layout = AttentionFigure.Layout.of(1 + tokens.size(), side);
        assertEquals(layout.width(), figure.getWidth());
        assertEquals(layout.height(), figure.getHeight());

        // equal tiles that fit the enlarged image, 6 to a row, in the figure, overlapping nothing
        assertEquals(10, layout.scale());
        assertEquals(9, layout.tiles().size());
        java.awt.Rectangle bounds = new java.awt.Rectangle(0, 0, layout.width(), layout.height());
        List<java.awt.Rectangle> boxes = new ArrayList<>(layout.tiles());
        boxes.addAll(layout.captions());
        boxes.add(layout.title());
        boxes.add(layout.legend());
        for (int i = 0; i < boxes.size(); i++) {
            assertTrue(bounds.contains(boxes.get(i)), "box " + i + " inside the figure");
            for (int j = i + 1; j < boxes.size(); j++) {
                assertFalse(boxes.get(i).intersects(boxes.get(j)), "boxes " + i + " and " + j + " overlap");
            }
        }
        for (int i = 0; i < layout.tiles().size(); i++) {
            java.awt.Rectangle tile = layout.tiles().get(i);
            java.awt.Rectangle caption = layout.captions().get(i);
            assertEquals(new Dimension(side * 10, side * 10), tile.getSize(), "tile " + i);
            assertEquals(tile.x, caption.x, "caption " + i + " is above its tile");
            assertEquals(tile.width, caption.width);
            assertEquals(tile.y, caption.y + caption.height);
            assertEquals(i < 6 ? 0 : 1, (tile.y - layout.tiles().get(0).y) / (tile.height + 1), "row of tile " + i);
        }

        // the first tile is the image itself; every map tile still shows the image: a white and a
        // black square of the checkerboard under the same heat differ by half the full range
        java.awt.Rectangle first = layout.tiles().get(0);
        assertEquals(0xFFFFFF, figure.getRGB(first.x + 5, first.y + 5) & 0xFFFFFF);
        assertEquals(0x000000, figure.getRGB(first.x + 25, first.y + 5) & 0xFFFFFF);
        for (int i = 1; i < layout.tiles().size(); i++) {
            java.awt.Rectangle tile = layout.tiles().get(i);
            int white = luminance(figure.getRGB(tile.x + 80 + 5, tile.y + 80 + 5));  // checker (8, 8) is white
            int black = luminance(figure.getRGB(tile.x + 80 + 25, tile.y + 80 + 5)); // (10, 8) is black
            assertTrue(white - black >= 100, "tile " + i + ": image visible under the map (" + white + " vs " + black
                    + ")");
        }
        // the map is there too: the tile of token t is brightest (yellow) around patch row t
        java.awt.Rectangle token3 = layout.tiles().get(4);
        int hot = luminance(figure.getRGB(token3.x + 90, token3.y + 3 * 20 + 10));   // patch row 3, over black
        int cold = luminance(figure.getRGB(token3.x + 90, token3.y + 7 * 20 + 10));  // patch row 7, over black
        assertTrue(hot > cold + 50, "the map's peak is brighter (" + hot + " vs " + cold + ")");
        if (Text.available()) {
            for (int i = 0; i < layout.captions().size(); i++) {
                java.awt.Rectangle c = layout.captions().get(i);
                assertTrue(darkPixels(figure, c.x, c.y, c.width, c.height) > 20, "caption " + i + " is drawn");
            }
        }
    }

    private static int luminance(int rgb) {
        return (((rgb >> 16) & 0xFF) * 299 + ((rgb >> 8) & 0xFF) * 587 + (rgb & 0xFF) * 114) / 1000;
    }

    private static int darkPixels(BufferedImage image, int x0, int y0, int w, int h) {
        int n = 0;
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                n += luminance(image.getRGB(x, y)) < 128 ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void heatmapWrapsALongTitleAndShowsEveryLabel() {
        String title = "cosine similarity of pooled CLIP embeddings (../shared/clip/tiny-random-clip/model)";
        List<String> labels = List.of("a red circle", "\"\"");
        Heatmap.Layout layout = Heatmap.layout(2, 2, labels, labels, title, Text.available());
        BufferedImage image = Heatmap.render(new double[][] {{1, 0.2}, {0.2, 1}}, labels, labels, title, -1, 1);
        assertEquals(layout.width(), image.getWidth());
        assertEquals(layout.height(), image.getHeight());
        if (Text.available()) {
            // the whole title, wrapped rather than cut off at the matrix's width
            assertEquals(title, String.join(" ", layout.titleLines()));
            assertTrue(layout.titleLines().size() <= Heatmap.TITLE_LINES);
            java.awt.FontMetrics fm = image.createGraphics().getFontMetrics(Text.font(14));
            for (String line : layout.titleLines()) {
                assertTrue(fm.stringWidth(line) <= layout.width() - 20, line);
            }
            // the title ends above the column labels and the matrix
            assertTrue(layout.matrixY() > 10 + layout.titleLines().size() * 18);
            // the empty prompt's row label ("") is drawn left of its row
            int row = layout.matrixY() + layout.cell() + layout.cell() / 2;
            assertTrue(darkPixels(image, 0, row - 5, layout.matrixX(), 10) > 3, "label of the second row");
        }
        Images.writePng(OUT.resolve("heatmap-title.png"), image);
    }

    @Test
    void heatmapColoursSignedAndUnsignedRanges() throws java.io.IOException {
        assertEquals(java.awt.Color.WHITE, Heatmap.color(0, -1, 1));
        assertTrue(Heatmap.color(1, -1, 1).getRed() > 150 && Heatmap.color(1, -1, 1).getBlue() < 80);
        assertTrue(Heatmap.color(-1, -1, 1).getBlue() > 150 && Heatmap.color(-1, -1, 1).getRed() < 80);
        assertNotEquals(Heatmap.color(0, 0, 1), Heatmap.color(1, 0, 1));

        double[][] cosine = new double[6][6];
        List<String> names = List.of("a red circle", "a blue square", "a photo of an airplane", "a photo of a cat",
                "a photo of a truck", "an orange triangle");
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 6; c++) {
                cosine[r][c] = r == c ? 1 : Math.cos(r * 1.3 + c * 0.7);
            }
        }
        Path png = OUT.resolve("heatmap-cosine.png");
        Heatmap.write(png, cosine, names, names, "caption cosine similarity", -1, 1);
        BufferedImage written = javax.imageio.ImageIO.read(png.toFile());
        Heatmap.Layout at = Heatmap.layout(6, 6, names, names, "caption cosine similarity", Text.available());
        assertEquals(at.width(), written.getWidth());
        assertEquals(at.height(), written.getHeight());
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 6; c++) {
                // a corner of each cell (values, where drawn, sit in the middle) has that value's colour
                int x = at.matrixX() + c * at.cell() + 2;
                int y = at.matrixY() + r * at.cell() + 2;
                assertEquals(Heatmap.color(cosine[r][c], -1, 1).getRGB(), written.getRGB(x, y) | 0xFF000000,
                        "cell " + r + "," + c);
            }
        }

        double[][] attention = new double[8][77];
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < 77; c++) {
                attention[r][c] = Math.exp(-Math.abs(c - r * 3) / 2.0);
            }
        }
        BufferedImage big = Heatmap.render(attention, null, null, "attention, head 0");
        assertTrue(big.getWidth() > 77 * 6);
        Heatmap.write(OUT.resolve("heatmap-attention.png"), attention, null, null, "attention, head 0");
    }

    @Test
    void linePlotTicksAreNice() {
        assertArrayEquals(new double[] {0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001},
                LinePlot.ticks(0.05, 0.55));
        double[] steps = LinePlot.ticks(0, 23430);
        assertEquals(0, steps[0]);
        assertEquals(25000, steps[steps.length - 1]);
        assertEquals(5000, steps[1] - steps[0]);
        double[] flat = LinePlot.ticks(3, 3);
        assertTrue(flat[0] < 3 && flat[flat.length - 1] > 3);
    }

    @Test
    void linePlotDrawsALossCurve() throws IOException {
        int n = 2000;
        double[] step = new double[n];
        double[] loss = new double[n];
        double[] smooth = new double[n];
        java.util.Random random = new java.util.Random(0);
        for (int i = 0; i < n; i++) {
            step[i] = i * 10;
            loss[i] = 0.2 + 0.35 * Math.exp(-i / 300.0) + 0.03 * random.nextGaussian();
            smooth[i] = i == 0 ? loss[i] : 0.98 * smooth[i - 1] + 0.02 * loss[i];
        }
        Path png = OUT.resolve("loss.png");
        LinePlot.write(png, List.of(new LinePlot.Series("loss", step, loss), new LinePlot.Series("EMA 0.98", step, smooth)),
                "training loss", "step", "loss");
        BufferedImage plot = ImageIO.read(png.toFile());
        assertEquals(LinePlot.WIDTH, plot.getWidth());
        assertEquals(LinePlot.HEIGHT, plot.getHeight());
        int left = LinePlot.LEFT;
        int top = LinePlot.TOP;
        int plotW = LinePlot.WIDTH - LinePlot.LEFT - LinePlot.RIGHT;
        int plotH = LinePlot.HEIGHT - LinePlot.TOP - LinePlot.BOTTOM;

        // axes: steps 0 to 20,000 (ticks of 5,000) and losses 0 to 0.8 (ticks of 0.2), the data's 0 to
        // 19,990 and 0.11 to 0.61 rounded out to ticks
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : loss) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] yTicks = LinePlot.ticks(min, max);
        double y0 = yTicks[0];
        double y1 = yTicks[yTicks.length - 1];
        assertEquals(0.0, y0, 1e-9);
        assertEquals(0.8, y1, 1e-9);

        // the smoothed (orange) curve is where its values put it, in every column of the plot
        int missed = 0;
        for (int px = left + 1; px < left + plotW - 1; px++) {
            double index = (px - left) / (double) plotW * 20000 / 10;
            int i = (int) Math.min(index, n - 2);
            double value = smooth[i] + (index - i) * (smooth[i + 1] - smooth[i]);
            int py = (int) Math.round(top + plotH - (value - y0) / (y1 - y0) * plotH);
            boolean found = false;
            for (int y = py - 2; y <= py + 2 && !found; y++) {
                found = orange(plot.getRGB(px, y));
            }
            missed += found ? 0 : 1;
        }
        assertEquals(0, missed, "columns without the smoothed curve at its value");

        // the raw (blue) curve falls: its pixels sit higher in the left third than in the right one
        // (the legend, top right, left out), and it spans the plot from left to right
        double[] sumY = new double[3];
        int[] count = new int[3];
        int firstX = Integer.MAX_VALUE;
        int lastX = -1;
        for (int y = top; y <= top + plotH; y++) {
            for (int x = left; x <= left + plotW; x++) {
                if (blue(plot.getRGB(x, y)) && !(x > left + plotW / 2 && y < top + 60)) {
                    int third = Math.min(2, (x - left) * 3 / plotW);
                    sumY[third] += y;
                    count[third]++;
                    firstX = Math.min(firstX, x);
                    lastX = Math.max(lastX, x);
                }
            }
        }
        assertTrue(count[0] > 500 && count[1] > 500 && count[2] > 500, "blue pixels per third: "
                + java.util.Arrays.toString(count));
        double leftY = sumY[0] / count[0];
        double middleY = sumY[1] / count[1];
        double rightY = sumY[2] / count[2];
        assertTrue(leftY + 50 < middleY && middleY < rightY, "centroids " + leftY + ", " + middleY + ", " + rightY);
        // the loss's tail, 0.2 on an axis from 0 to 0.8, is a quarter of the height above the bottom
        assertEquals(top + plotH * 3 / 4.0, rightY, 8, "right third's centroid");
        assertTrue(firstX <= left + 1 && lastX >= left + plotW - 2, "blue from x " + firstX + " to " + lastX);

        // the frame of the axes, and a grid line at the middle x tick (10,000)
        assertTrue(darkPixels(plot, left, top, 1, plotH) > plotH * 9 / 10, "y axis");
        assertTrue(darkPixels(plot, left, top + plotH, plotW, 1) > plotW * 9 / 10, "x axis");
        int grid = 0;
        for (int y = top + 1; y < top + plotH; y++) {
            grid += (plot.getRGB(left + plotW / 2, y) & 0xFFFFFF) == 0xE8E8E8 ? 1 : 0;
        }
        assertTrue(grid > plotH / 2, "grid line at step 10,000: " + grid + " px");
        assertEquals(0xFFFFFF, plot.getRGB(left + plotW / 4 + 10, top + 5) & 0xFFFFFF, "white background");
        if (Text.available()) {
            assertTrue(darkPixels(plot, 0, 0, LinePlot.WIDTH, top - 2) > 50, "the title");
            assertTrue(darkPixels(plot, 0, top, left - 6, plotH) > 100, "the y tick labels and axis label");
            assertTrue(darkPixels(plot, 0, top + plotH + 6, LinePlot.WIDTH, LinePlot.BOTTOM - 6) > 150,
                    "the x tick labels and axis label");
            assertTrue(darkPixels(plot, left + plotW / 2, top + 8, plotW / 2, 48) > 20, "the legend's names");
        }
    }

    /** A pixel of the first series' blue, (31, 119, 180), alone or half blended into the background. */
    private static boolean blue(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int b = rgb & 0xFF;
        return b - r >= 60;
    }

    /** A pixel of the second series' orange, (255, 127, 14), mostly. */
    private static boolean orange(int rgb) {
        int r = (rgb >> 16) & 0xFF;
        int b = rgb & 0xFF;
        return r >= 150 && r - b >= 90;
    }
}
