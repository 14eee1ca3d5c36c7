package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.data.Batch;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.shapes.ShapeColor;
import dev.t2i.data.shapes.ShapeKind;
import dev.t2i.data.shapes.ShapePrompt;
import dev.t2i.data.shapes.ShapesDataset;
import dev.t2i.image.GridAssertions;
import dev.t2i.image.ImageGrid;
import dev.t2i.image.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The adherence detector on the generator's own images, clean and perturbed. */
class ShapeDetectorTest {
    private static final int COUNT = 600;

    /** Detects every test-split image (all 18 pairs, balanced), with Gaussian noise of sigma 8-bit levels. */
    private static double accuracy(int size, double sigma, long seed, List<String> failures) {
        return accuracy(size, sigma, 0, seed, failures);
    }

    /**
     * As above, and first each pixel, with probability {@code ragged}, takes the value of a random
     * one of its 8 neighbours: edges turn ragged as in an undertrained model's samples, while
     * the shape's interior and the background stay as they are.
     */
    private static double accuracy(int size, double sigma, double ragged, long seed, List<String> failures) {
        CaptionedImages data = ShapesDataset.generate(ShapesDataset.Split.TEST, COUNT, size, seed);
        Random noise = new Random(seed);
        int correct = 0;
        float[] chw = new float[data.valuesPerImage()];
        for (int i = 0; i < data.size(); i++) {
            data.copyAsFloats(i, false, chw, 0);
            if (ragged > 0) {
                roughen(chw, size, ragged, noise);
            }
            for (int j = 0; j < chw.length; j++) {
                chw[j] += (float) (sigma / 127.5 * noise.nextGaussian());
            }
            Detection d = ShapeDetector.detect(chw, 0, size, size);
            ShapePrompt prompt = ShapePrompt.parse(data.caption(i));
            if (d.matches(prompt)) {
                correct++;
            } else {
                failures.add(prompt + " -> " + d);
            }
        }
        return correct / (double) data.size();
    }

    private static void roughen(float[] chw, int size, double p, Random rng) {
        float[] src = chw.clone();
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                if (rng.nextDouble() >= p) {
                    continue;
                }
                int nx = Math.max(0, Math.min(size - 1, x + rng.nextInt(3) - 1));
                int ny = Math.max(0, Math.min(size - 1, y + rng.nextInt(3) - 1));
                for (int c = 0; c < 3; c++) {
                    chw[c * plane + y * size + x] = src[c * plane + ny * size + nx];
                }
            }
        }
    }

    @Test
    void namesColourAndShapeOfCleanImagesAt32And16() {
        for (int size : new int[] {32, 16}) {
            List<String> failures = new ArrayList<>();
            double accuracy = accuracy(size, 0, 100 + size, failures);
            System.out.printf("detector, clean %dx%d: %.4f (%d images)%n", size, size, accuracy, COUNT);
            assertTrue(accuracy >= 0.99, size + "x" + size + ": " + accuracy + " " + failures);
        }
    }

    @Test
    void survivesNoiseLikeAGeneratedImage() {
        // sigma 15 levels is about 0.12 on the model's [-1, 1] scale
        for (int size : new int[] {32, 16}) {
            List<String> failures = new ArrayList<>();
            double accuracy = accuracy(size, 15, 200 + size, failures);
            System.out.printf("detector, noise sigma 15/255, %dx%d: %.4f%n", size, size, accuracy);
            assertTrue(accuracy >= 0.98, size + "x" + size + " noisy: " + accuracy + " " + failures);
        }
    }

    @Test
    void survivesRaggedEdgesAndNoiseTogether() {
        // a third of all pixels copy a neighbour: every edge is ragged, corners get nibbled
        for (int size : new int[] {32, 16}) {
            List<String> failures = new ArrayList<>();
            double accuracy = accuracy(size, 15, 0.33, 300 + size, failures);
            System.out.printf("detector, ragged edges + noise, %dx%d: %.4f%n", size, size, accuracy);
            assertTrue(accuracy >= 0.97, size + "x" + size + " ragged: " + accuracy + " " + failures);
        }
    }

    @Test
    void readsTensorsAndJavaImagesAlike() {
        CaptionedImages data = ShapesDataset.generate(ShapesDataset.Split.TEST, 18, 32, 9);
        Batch batch = data.batch(IntStream.range(0, 18).toArray());
        List<Detection> fromBatch = ShapeDetector.detectAll(batch.images());
        for (int i = 0; i < 18; i++) {
            ShapePrompt prompt = ShapePrompt.parse(data.caption(i));
            assertTrue(fromBatch.get(i).matches(prompt), prompt + " -> " + fromBatch.get(i));
            assertEquals(fromBatch.get(i), ShapeDetector.detect(data.image(i)));
            INDArray one = batch.images().get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup();
            assertEquals(fromBatch.get(i), ShapeDetector.detect(one));
        }
        // a flipped triangle is still a triangle
        Batch flipped = data.batch(IntStream.range(0, 18).toArray(), new Random(1));
        for (int i = 0; i < 18; i++) {
            assertTrue(ShapeDetector.detectAll(flipped.images()).get(i).matches(ShapePrompt.parse(data.caption(i))));
        }
    }

    @Test
    void findsNothingInABlankImage() {
        INDArray grey = Nd4j.zeros(1, 3, 32, 32).addi(0.7f);
        Detection d = ShapeDetector.detect(grey);
        assertFalse(d.found());
        assertEquals(0.0, d.confidence());
        assertFalse(d.matches(new ShapePrompt(ShapeColor.RED, ShapeKind.CIRCLE)));
    }

    @Test
    void writesTheHardestNoisyCasesToLookAt() throws java.io.IOException {
        int size = 16;
        CaptionedImages data = ShapesDataset.generate(ShapesDataset.Split.TEST, 300, size, 5);
        Random noise = new Random(5);
        List<float[]> noisy = new ArrayList<>();
        List<Detection> detections = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            float[] chw = new float[data.valuesPerImage()];
            data.copyAsFloats(i, false, chw, 0);
            for (int j = 0; j < chw.length; j++) {
                chw[j] += (float) (30 / 127.5 * noise.nextGaussian());
            }
            noisy.add(chw);
            detections.add(ShapeDetector.detect(chw, 0, size, size));
        }
        List<Integer> order = IntStream.range(0, data.size()).boxed()
                .sorted(Comparator.comparingDouble(i -> detections.get(i).matches(ShapePrompt.parse(data.caption(i)))
                        ? detections.get(i).confidence() : -1.0))
                .limit(12).toList();
        List<BufferedImage> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i : order) {
            images.add(Images.toBufferedImage(noisy.get(i), 0, size, size));
            Detection d = detections.get(i);
            captions.add(data.caption(i) + " \u2192 " + (d.found() ? d.color().word() + " " + d.shape().word() : "none")
                    + String.format(" %.2f", d.confidence()));
        }
        Path png = Path.of("target/test-output/detector-hardest-noisy-16.png");
        ImageGrid.write(png, images, captions, 6, 8);
        // 12 images enlarged 8 times, 6 to a row: cells 128 px wide, 128 + 2 caption lines of 13 high
        GridAssertions.assertCaptionedGrid(javax.imageio.ImageIO.read(png.toFile()), images, 6, 8,
                6 * 128 + 7 * 4, 2 * (128 + 26) + 3 * 4);
    }
}
