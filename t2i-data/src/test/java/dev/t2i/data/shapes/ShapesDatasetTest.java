package dev.t2i.data.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.data.CaptionedImages;
import dev.t2i.image.GridAssertions;
import dev.t2i.image.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The built-in captioned shapes: determinism, captions, held-out pairs, plain backgrounds. */
class ShapesDatasetTest {
    private static byte[] allPixels(CaptionedImages data) {
        byte[] out = new byte[data.size() * data.valuesPerImage()];
        for (int i = 0; i < data.size(); i++) {
            System.arraycopy(data.pixels(i), 0, out, i * data.valuesPerImage(), data.valuesPerImage());
        }
        return out;
    }

    @Test
    void sameSeedGivesIdenticalImages() {
        CaptionedImages a = ShapesDataset.generate(ShapesDataset.Split.TRAIN, 100, 32, 11);
        CaptionedImages b = ShapesDataset.generate(ShapesDataset.Split.TRAIN, 100, 32, 11);
        assertArrayEquals(allPixels(a), allPixels(b));
        assertEquals(a.captions(), b.captions());
        CaptionedImages c = ShapesDataset.generate(ShapesDataset.Split.TRAIN, 100, 32, 12);
        assertFalse(Arrays.equals(allPixels(a), allPixels(c)));
        CaptionedImages test = ShapesDataset.generate(ShapesDataset.Split.TEST, 100, 32, 11);
        assertFalse(Arrays.equals(a.pixels(0), test.pixels(0)), "the test split draws other images");
        // an image does not depend on how many come after it
        assertArrayEquals(a.pixels(42), ShapesDataset.generate(ShapesDataset.Split.TRAIN, 43, 32, 11).pixels(42));
    }

    @Test
    void captionsMatchLabelsAndPrompts() {
        CaptionedImages data = ShapesDataset.generate(ShapesDataset.Split.TEST, 36, 16, 3);
        assertEquals(18, data.classNames().size());
        for (int i = 0; i < data.size(); i++) {
            ShapePrompt prompt = ShapePrompt.parse(data.caption(i));
            assertEquals(prompt.index(), data.label(i));
            assertEquals(prompt.phrase(), data.classNames().get(data.label(i)));
            assertEquals(ShapePrompt.all().get(i % 18), prompt, "pairs cycle in order");
        }
        assertEquals("a red circle", data.caption(0));
        assertEquals("an orange square", new ShapePrompt(ShapeColor.ORANGE, ShapeKind.SQUARE).caption());
    }

    @Test
    void holdsOutPairsWhosePartsStillAppearInTraining() {
        CaptionedImages train = ShapesDataset.generate(ShapesDataset.Split.TRAIN, 300, 16, 0);
        Set<ShapePrompt> seen = new HashSet<>();
        train.captions().forEach(c -> seen.add(ShapePrompt.parse(c)));
        assertEquals(15, seen.size());
        for (ShapePrompt held : ShapesDataset.HELD_OUT) {
            assertFalse(seen.contains(held), held + " must not be in training");
            assertEquals(2, seen.stream().filter(p -> p.color() == held.color()).count(), held.color() + " still seen");
            assertEquals(5, seen.stream().filter(p -> p.shape() == held.shape()).count(), held.shape() + " still seen");
        }
        CaptionedImages heldOut = ShapesDataset.generate(ShapesDataset.Split.HELD_OUT, 30, 16, 0);
        heldOut.captions().forEach(c -> assertTrue(ShapesDataset.isHeldOut(ShapePrompt.parse(c)), c));
    }

    @Test
    void drawsOneShapeOnAPlainBackgroundInsideTheMargin() {
        for (int size : new int[] {16, 32}) {
            for (int i = 0; i < 200; i++) {
                ShapePrompt prompt = ShapePrompt.all().get(i % 18);
                byte[] px = ShapeRenderer.render(prompt, size, new SplittableRandom(i));
                int plane = size * size;
                int bg = px[0] & 0xFF;
                assertTrue(bg >= ShapeRenderer.MIN_BACKGROUND && bg <= ShapeRenderer.MAX_BACKGROUND);
                int shapePixels = 0;
                for (int p = 0; p < plane; p++) {
                    int x = p % size;
                    int y = p / size;
                    boolean isBackground = (px[p] & 0xFF) == bg && (px[plane + p] & 0xFF) == bg
                            && (px[2 * plane + p] & 0xFF) == bg;
                    if (x == 0 || y == 0 || x == size - 1 || y == size - 1) {
                        assertTrue(isBackground, "border pixel " + x + "," + y + " of " + prompt);
                    }
                    if ((px[p] & 0xFF) == prompt.color().red() && (px[plane + p] & 0xFF) == prompt.color().green()
                            && (px[2 * plane + p] & 0xFF) == prompt.color().blue()) {
                        shapePixels++;
                    }
                }
                // smallest: a triangle of extent 0.42·size has area 0.088·size², less its rim
                assertTrue(shapePixels >= 0.04 * plane, prompt + " at " + size + ": " + shapePixels + " full pixels");
            }
        }
    }

    @Test
    void paletteIsWellSeparatedFromItselfAndTheBackground() {
        ShapeColor[] colours = ShapeColor.values();
        for (int i = 0; i < colours.length; i++) {
            for (int j = i + 1; j < colours.length; j++) {
                ShapeColor b = colours[j];
                assertTrue(colours[i].distance(b.red(), b.green(), b.blue()) > 90, colours[i] + " vs " + b);
            }
            for (int grey = ShapeRenderer.MIN_BACKGROUND; grey <= ShapeRenderer.MAX_BACKGROUND; grey++) {
                assertTrue(colours[i].distance(grey, grey, grey) > 140, colours[i] + " vs grey " + grey);
            }
        }
    }

    /** The grid file shows each of the 36 images whole, enlarged to 64 px, 9 to a row, captioned. */
    @Test
    void writesASampleGridToLookAt() throws java.io.IOException {
        for (int size : new int[] {16, 32}) {
            CaptionedImages data = ShapesDataset.generate(ShapesDataset.Split.TEST, 36, size, 1);
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                images.add(data.image(i));
            }
            Path png = Path.of("target/test-output/shapes-" + size + ".png");
            ImageGrid.write(png, images, data.captions(), 9, 64 / size);
            // cells 96 px wide (the least for a caption) and 64 + 2 caption lines of 13 high; 4 px gaps
            GridAssertions.assertCaptionedGrid(javax.imageio.ImageIO.read(png.toFile()), images, 9, 64 / size,
                    9 * 96 + 10 * 4, 4 * (64 + 26) + 5 * 4);
        }
    }
}
