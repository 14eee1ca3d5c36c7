package dev.t2i.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void heatmapColoursSignedAndUnsignedRanges() {
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
        assertTrue(png.toFile().length() > 1000);

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
    }
}
