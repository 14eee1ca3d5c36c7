package dev.t2i.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Checks a sample grid written by {@link ImageGrid} against the images it was made of, for the
 * tests (in other modules too) that write grids to look at: its size, every image pixel for pixel
 * in its cell, white gaps between the cells, and a caption under each image where text can be drawn.
 */
public final class GridAssertions {
    private GridAssertions() {
    }

    /**
     * @param grid    the grid as read back from its file
     * @param images  the images, all of the same size, in grid order
     * @param columns the grid's columns
     * @param scale   their enlargement
     * @param width   the grid's expected width in pixels (a reference number of the caller)
     * @param height  the grid's expected height
     */
    public static void assertCaptionedGrid(BufferedImage grid, List<BufferedImage> images, int columns, int scale,
            int width, int height) {
        int w = images.get(0).getWidth();
        int h = images.get(0).getHeight();
        int cellW = Math.max(w * scale, ImageGrid.MIN_CAPTION_WIDTH);
        int cellH = h * scale + ImageGrid.CAPTION_LINES * ImageGrid.LINE_HEIGHT;
        int gap = ImageGrid.GAP;
        int rows = (images.size() + columns - 1) / columns;
        assertEquals(width, columns * cellW + (columns + 1) * gap, "the caller's width is the layout's");
        assertEquals(height, rows * cellH + (rows + 1) * gap, "the caller's height is the layout's");
        assertEquals(width, grid.getWidth(), "grid width");
        assertEquals(height, grid.getHeight(), "grid height");
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            assertEquals(w, image.getWidth());
            assertEquals(h, image.getHeight());
            int cellX = gap + (i % columns) * (cellW + gap);
            int cellY = gap + (i / columns) * (cellH + gap);
            int x0 = cellX + (cellW - w * scale) / 2; // centred in its cell, at the top
            for (int y = 0; y < h * scale; y++) {
                for (int x = 0; x < w * scale; x++) {
                    int expected = image.getRGB(x / scale, y / scale) & 0xFFFFFF;
                    int actual = grid.getRGB(x0 + x, cellY + y) & 0xFFFFFF;
                    if (expected != actual) {
                        assertEquals(Integer.toHexString(expected), Integer.toHexString(actual),
                                "image " + i + " at (" + x / scale + ", " + y / scale + "), grid pixel ("
                                        + (x0 + x) + ", " + (cellY + y) + ")");
                    }
                }
            }
            // nothing of a cell spills into the gap on its left
            for (int y = cellY; y < cellY + cellH; y++) {
                for (int x = cellX - gap; x < cellX; x++) {
                    assertEquals(0xFFFFFF, grid.getRGB(x, y) & 0xFFFFFF, "gap left of cell " + i + " at (" + x + ", "
                            + y + ")");
                }
            }
            if (Text.available()) {
                int dark = 0;
                for (int y = cellY + h * scale; y < cellY + cellH; y++) {
                    for (int x = cellX; x < cellX + cellW; x++) {
                        int rgb = grid.getRGB(x, y);
                        dark += ((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF) < 3 * 128 ? 1 : 0;
                    }
                }
                assertTrue(dark > 10, "caption " + i + " is drawn (" + dark + " dark pixels)");
            }
        }
    }
}
