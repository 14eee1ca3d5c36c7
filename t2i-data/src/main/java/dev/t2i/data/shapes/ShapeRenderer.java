package dev.t2i.data.shapes;

import java.util.random.RandomGenerator;

/**
 * Draws one filled shape on a plain grey background, with anti-aliased edges.
 *
 * <p>Geometry, in pixels of an image {@code size} wide: the shape's extent (diameter, side, or
 * base and height of the triangle) is drawn uniformly from [0.42, 0.70]·size, its centre
 * uniformly such that a margin of size/16 (at least one pixel) stays free at every edge, and the
 * background grey level uniformly from [205, 245]. Each pixel's coverage is measured with 4×4
 * sub-samples and blends the shape colour over the background, so edges are smooth and a
 * 16×16 circle still reads as round. Triangles point up (isosceles, height = base).
 */
public final class ShapeRenderer {
    /** Smallest and largest extent as a fraction of the image size. */
    public static final double MIN_EXTENT = 0.42;
    public static final double MAX_EXTENT = 0.70;
    /** Range of the background grey level. */
    public static final int MIN_BACKGROUND = 205;
    public static final int MAX_BACKGROUND = 245;

    private static final int SUBSAMPLES = 4;

    private ShapeRenderer() {
    }

    /**
     * Renders the prompt as 8-bit CHW pixels ({@code 3 × size × size}) into {@code dest} at
     * {@code offset}. Draws exactly four values from {@code random}, so the same generator
     * state always gives the same image.
     */
    public static void render(ShapePrompt prompt, int size, RandomGenerator random, byte[] dest, int offset) {
        int background = MIN_BACKGROUND + random.nextInt(MAX_BACKGROUND - MIN_BACKGROUND + 1);
        double extent = size * (MIN_EXTENT + (MAX_EXTENT - MIN_EXTENT) * random.nextDouble());
        double margin = Math.max(1.0, size / 16.0);
        double free = size - 2 * margin - extent;
        double cx = margin + extent / 2 + free * random.nextDouble();
        double cy = margin + extent / 2 + free * random.nextDouble();

        int plane = size * size;
        int[] rgb = {prompt.color().red(), prompt.color().green(), prompt.color().blue()};
        float[] coverage = new float[plane];
        coverage(prompt.shape(), cx, cy, extent / 2, SUBSAMPLES, coverage, size, size);
        for (int p = 0; p < plane; p++) {
            double alpha = coverage[p];
            for (int c = 0; c < 3; c++) {
                dest[offset + c * plane + p] = (byte) Math.round(alpha * rgb[c] + (1 - alpha) * background);
            }
        }
    }

    /**
     * The fraction of each pixel of an {@code h × w} image that a shape of half-extent
     * {@code half} centred at (cx, cy) covers, from {@code sub × sub} sub-samples per pixel, into
     * {@code out} (row-major). Also the templates t2i-eval's {@code ShapeDetector} compares images with.
     */
    public static void coverage(ShapeKind shape, double cx, double cy, double half, int sub, float[] out, int h, int w) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int inside = 0;
                for (int sy = 0; sy < sub; sy++) {
                    double py = y + (sy + 0.5) / sub;
                    for (int sx = 0; sx < sub; sx++) {
                        double px = x + (sx + 0.5) / sub;
                        if (contains(shape, px - cx, py - cy, half)) {
                            inside++;
                        }
                    }
                }
                out[y * w + x] = inside / (float) (sub * sub);
            }
        }
    }

    /** Renders into a new array. */
    public static byte[] render(ShapePrompt prompt, int size, RandomGenerator random) {
        byte[] out = new byte[3 * size * size];
        render(prompt, size, random, out, 0);
        return out;
    }

    /** Whether the point (dx, dy) from the centre is inside a shape of half-extent {@code h}. */
    private static boolean contains(ShapeKind shape, double dx, double dy, double h) {
        return switch (shape) {
            case CIRCLE -> dx * dx + dy * dy <= h * h;
            case SQUARE -> Math.abs(dx) <= h && Math.abs(dy) <= h;
            // apex at (0, -h), base from (-h, h) to (h, h): half-width grows by 1/2 per unit down
            case TRIANGLE -> dy <= h && Math.abs(dx) <= (dy + h) / 2;
        };
    }
}
