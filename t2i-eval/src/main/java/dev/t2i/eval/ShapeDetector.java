package dev.t2i.eval;

import dev.t2i.data.shapes.ShapeColor;
import dev.t2i.data.shapes.ShapeKind;
import dev.t2i.data.shapes.ShapeRenderer;
import dev.t2i.image.Images;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Names the colour and shape in an image of the shapes data set, or in a generated image that
 * tries to look like one, to score prompt adherence without a learned classifier.
 *
 * <p>The steps, each chosen to survive the blur, speckle and colour drift of generated images:
 * <ol>
 * <li>The background colour is the per-channel median of the border pixels (robust to a shape
 *     that touches an edge).</li>
 * <li>Foreground is every pixel farther from the background than an Otsu threshold on those
 *     distances; only the largest 4-connected component is kept (stray speckles go), with its
 *     holes filled.</li>
 * <li>The colour is the palette colour nearest to the per-channel median of the component's
 *     interior (its edge pixels are blends with the background).</li>
 * <li>The shape comes from a soft coverage map: 1 inside the component, and at its rim each
 *     pixel's projection onto the background-to-colour line, so anti-aliased edges count in
 *     part. Each shape's template, drawn as the data set draws it, is placed at the map's
 *     centroid and sized to its area, then refined over a few scales and half-pixel shifts; the
 *     template with the highest soft intersection-over-union names the shape. Ragged edges and
 *     speckle lower every template's overlap alike, so the decision rests on the overall form
 *     (corners, a flat base under an apex). An earlier rule on the fill ratio of the bounding
 *     box called nibbled squares circles (0.88 on the ragged-edge test, now 1.00); the fill
 *     ratio and vertical skewness are still reported for diagnostics.</li>
 * </ol>
 * Stateless and thread-safe.
 */
public final class ShapeDetector {
    /** Smallest colour distance from the background that can count as a shape. */
    static final double MIN_CONTRAST = 48;
    /** Fewest foreground pixels that can count as a shape. */
    static final int MIN_AREA = 4;

    private ShapeDetector() {
    }

    /** Detects the shape in a Java image. */
    public static Detection detect(BufferedImage image) {
        byte[] chw = Images.toChwBytes(image);
        float[] levels = new float[chw.length];
        for (int i = 0; i < chw.length; i++) {
            levels[i] = chw[i] & 0xFF;
        }
        return detectLevels(levels, image.getHeight(), image.getWidth());
    }

    /** Detects the shape in one image tensor [3, H, W] or [1, 3, H, W] with values in [-1, 1]. */
    public static Detection detect(INDArray image) {
        List<Detection> all = detectAll(image.rank() == 3 ? image.reshape(1, image.size(0), image.size(1), image.size(2)) : image);
        if (all.size() != 1) {
            throw new IllegalArgumentException("expected one image, got " + all.size());
        }
        return all.get(0);
    }

    /** Detects the shape in each image of a batch [B, 3, H, W] with values in [-1, 1]. */
    public static List<Detection> detectAll(INDArray images) {
        if (images.rank() != 4 || images.size(1) != 3) {
            throw new IllegalArgumentException("expected images [B, 3, H, W], got " + Arrays.toString(images.shape()));
        }
        int b = (int) images.size(0);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        float[] data = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int per = 3 * h * w;
        List<Detection> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            out.add(detect(data, i * per, h, w));
        }
        return out;
    }

    /**
     * Detects the shape in CHW floats in [-1, 1] starting at {@code offset}; out-of-range values
     * are clamped, as they would be when the image is saved.
     */
    public static Detection detect(float[] chw, int offset, int height, int width) {
        float[] levels = new float[3 * height * width];
        for (int i = 0; i < levels.length; i++) {
            float v = (chw[offset + i] + 1f) * 127.5f;
            levels[i] = Float.isNaN(v) ? 0f : Math.max(0f, Math.min(255f, v));
        }
        return detectLevels(levels, height, width);
    }

    /** The detector proper, on CHW values on the 0..255 scale. */
    static Detection detectLevels(float[] image, int h, int w) {
        int n = h * w;
        float[] bg = borderMedian(image, h, w);
        float[] distance = new float[n];
        float maxDistance = 0;
        for (int p = 0; p < n; p++) {
            float dr = image[p] - bg[0];
            float dg = image[n + p] - bg[1];
            float db = image[2 * n + p] - bg[2];
            distance[p] = (float) Math.sqrt(dr * dr + dg * dg + db * db);
            maxDistance = Math.max(maxDistance, distance[p]);
        }
        if (maxDistance < MIN_CONTRAST) {
            return Detection.none();
        }
        float threshold = Math.max(otsu(distance, maxDistance), (float) MIN_CONTRAST / 2);
        boolean[] mask = new boolean[n];
        for (int p = 0; p < n; p++) {
            mask[p] = distance[p] > threshold;
        }
        mask = largestComponent(mask, h, w);
        fillHoles(mask, h, w);
        boolean[] interior = interior(mask, h, w);

        float[] fg = medianOf(image, interior, n);
        ShapeColor[] palette = ShapeColor.values();
        double[] colorDistances = new double[palette.length];
        for (int c = 0; c < palette.length; c++) {
            colorDistances[c] = palette[c].distance(fg[0], fg[1], fg[2]);
        }
        int color = argmin(colorDistances);

        Geometry g = geometry(coverage(image, mask, interior, bg, fg, h, w), h, w);
        if (g.area() < MIN_AREA) {
            return Detection.none();
        }
        // 1 - the best overlap of each shape's template with the coverage map
        double[] shapeDistances = templateOverlaps(g, h, w);
        for (int s = 0; s < shapeDistances.length; s++) {
            shapeDistances[s] = 1 - shapeDistances[s];
        }
        int shape = argmin(shapeDistances);
        double confidence = Math.min(margin(colorDistances, color), margin(shapeDistances, shape));
        return new Detection(palette[color], ShapeKind.values()[shape], confidence, g.fill(), g.skew(), g.area());
    }

    /**
     * A coverage map with its area in pixels, centroid, fill ratio of the bounding box and
     * vertical skewness (the last two for diagnostics).
     */
    private record Geometry(float[] coverage, double area, double cx, double cy, double fill, double skew) {
    }

    private static Geometry geometry(float[] coverage, int h, int w) {
        double[] rowMass = new double[h];
        double[] colMass = new double[w];
        double area = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double c = coverage[y * w + x];
                rowMass[y] += c;
                colMass[x] += c;
                area += c;
            }
        }
        if (area == 0) {
            return new Geometry(coverage, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        // the widest row and the tallest column span the bounding box for these axis-aligned
        // shapes, and as sums they average out noise that a per-pixel extent would pick up
        double width = Arrays.stream(rowMass).max().orElse(0);
        double height = Arrays.stream(colMass).max().orElse(0);
        double cy = 0;
        for (int y = 0; y < h; y++) {
            cy += rowMass[y] * y;
        }
        cy /= area;
        double cx = 0;
        for (int x = 0; x < w; x++) {
            cx += colMass[x] * x;
        }
        cx /= area;
        double m2 = 0;
        double m3 = 0;
        for (int y = 0; y < h; y++) {
            double dy = y - cy;
            m2 += rowMass[y] * dy * dy;
            m3 += rowMass[y] * dy * dy * dy;
        }
        m2 /= area;
        m3 /= area;
        double skew = m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
        // pixel centres are at +0.5 in the renderer's continuous coordinates
        return new Geometry(coverage, area, cx + 0.5, cy + 0.5, area / (width * height), skew);
    }

    /** Relative sizes and offsets searched around the moment-based fit of each template. */
    private static final double[] SCALES = {0.88, 0.94, 1.0, 1.06, 1.12};
    private static final double[] SHIFTS = {-0.5, 0.0, 0.5};
    /** Sub-samples per pixel side of the templates: 3×3 is enough to rank overlaps, and fast. */
    private static final int TEMPLATE_SUBSAMPLES = 3;

    /**
     * For each shape (in {@link ShapeKind} order), the best soft intersection-over-union of the
     * coverage map with that shape's template, drawn as the data set draws it: centred on the
     * map's centroid, sized to its area, then refined over a few scales and half-pixel shifts.
     * Ragged or noisy edges lower every template's overlap alike, so the decision rests on the
     * shape's overall form (corners, a flat base and an apex) rather than on its extremes.
     */
    private static double[] templateOverlaps(Geometry g, int h, int w) {
        ShapeKind[] kinds = ShapeKind.values();
        double[] best = new double[kinds.length];
        float[] template = new float[h * w];
        for (int k = 0; k < kinds.length; k++) {
            // extent (diameter, side, or base = height) whose shape has the measured area
            double extent = switch (kinds[k]) {
                case CIRCLE -> 2 * Math.sqrt(g.area() / Math.PI);
                case SQUARE -> Math.sqrt(g.area());
                case TRIANGLE -> Math.sqrt(2 * g.area());
            };
            // the renderer centres the triangle's box, whose centroid lies extent/6 below that centre
            double boxCy = kinds[k] == ShapeKind.TRIANGLE ? g.cy() - extent / 6 : g.cy();
            for (double scale : SCALES) {
                for (double dy : SHIFTS) {
                    for (double dx : SHIFTS) {
                        ShapeRenderer.coverage(kinds[k], g.cx() + dx, boxCy + dy, extent * scale / 2,
                                TEMPLATE_SUBSAMPLES, template, h, w);
                        best[k] = Math.max(best[k], softIou(g.coverage(), template));
                    }
                }
            }
        }
        return best;
    }

    private static double softIou(float[] a, float[] b) {
        double inter = 0;
        double union = 0;
        for (int i = 0; i < a.length; i++) {
            inter += Math.min(a[i], b[i]);
            union += Math.max(a[i], b[i]);
        }
        return union > 0 ? inter / union : 0;
    }

    /**
     * Fraction of each pixel covered by the shape: 1 inside, the projection of its colour onto the
     * background-to-shape line at the rim (one pixel beyond the mask, where anti-aliased edges
     * fall), 0 elsewhere.
     */
    private static float[] coverage(float[] image, boolean[] mask, boolean[] interior, float[] bg, float[] fg,
                                    int h, int w) {
        int n = h * w;
        float ur = fg[0] - bg[0];
        float ug = fg[1] - bg[1];
        float ub = fg[2] - bg[2];
        float uu = Math.max(1f, ur * ur + ug * ug + ub * ub);
        float[] coverage = new float[n];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (interior[p]) {
                    coverage[p] = 1f;
                } else if (nearMask(mask, x, y, h, w)) {
                    float t = ((image[p] - bg[0]) * ur + (image[n + p] - bg[1]) * ug + (image[2 * n + p] - bg[2]) * ub) / uu;
                    coverage[p] = Math.max(0f, Math.min(1f, t));
                }
            }
        }
        return coverage;
    }

    /** Whether the pixel or one of its 8 neighbours is in the mask. */
    private static boolean nearMask(boolean[] mask, int x, int y, int h, int w) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < w && yy < h && mask[yy * w + xx]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Mask pixels whose four neighbours are all in the mask; the whole mask if none are. */
    private static boolean[] interior(boolean[] mask, int h, int w) {
        boolean[] inner = new boolean[mask.length];
        boolean any = false;
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int p = y * w + x;
                inner[p] = mask[p] && mask[p - 1] && mask[p + 1] && mask[p - w] && mask[p + w];
                any |= inner[p];
            }
        }
        return any ? inner : mask.clone();
    }

    /** Per-channel median of the border pixels: the background, even if the shape touches an edge. */
    private static float[] borderMedian(float[] image, int h, int w) {
        int n = h * w;
        int[] border = borderPixels(h, w);
        float[] bg = new float[3];
        float[] values = new float[border.length];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < border.length; i++) {
                values[i] = image[c * n + border[i]];
            }
            bg[c] = median(values);
        }
        return bg;
    }

    private static int[] borderPixels(int h, int w) {
        int[] border = new int[2 * w + 2 * (h - 2)];
        int k = 0;
        for (int x = 0; x < w; x++) {
            border[k++] = x;
            border[k++] = (h - 1) * w + x;
        }
        for (int y = 1; y < h - 1; y++) {
            border[k++] = y * w;
            border[k++] = y * w + w - 1;
        }
        return border;
    }

    /** Otsu's threshold on values in [0, max]: the cut that best separates two clusters. */
    private static float otsu(float[] values, float max) {
        int bins = 64;
        int[] histogram = new int[bins];
        for (float v : values) {
            histogram[Math.min(bins - 1, (int) (v / max * bins))]++;
        }
        double total = values.length;
        double sumAll = 0;
        for (int b = 0; b < bins; b++) {
            sumAll += b * (double) histogram[b];
        }
        double best = -1;
        int bestBin = bins / 2;
        double weightBelow = 0;
        double sumBelow = 0;
        for (int b = 0; b < bins - 1; b++) {
            weightBelow += histogram[b];
            sumBelow += b * (double) histogram[b];
            double weightAbove = total - weightBelow;
            if (weightBelow == 0 || weightAbove == 0) {
                continue;
            }
            double meanBelow = sumBelow / weightBelow;
            double meanAbove = (sumAll - sumBelow) / weightAbove;
            double between = weightBelow * weightAbove * (meanBelow - meanAbove) * (meanBelow - meanAbove);
            if (between > best) {
                best = between;
                bestBin = b;
            }
        }
        return (bestBin + 1) * max / bins;
    }

    /** The largest 4-connected component of the mask (empty if the mask is). */
    private static boolean[] largestComponent(boolean[] mask, int h, int w) {
        int n = h * w;
        int[] component = new int[n];
        int[] queue = new int[n];
        int bestId = 0;
        int bestSize = 0;
        int id = 0;
        for (int start = 0; start < n; start++) {
            if (!mask[start] || component[start] != 0) {
                continue;
            }
            id++;
            int size = flood(mask, true, component, id, start, queue, h, w);
            if (size > bestSize) {
                bestSize = size;
                bestId = id;
            }
        }
        boolean[] largest = new boolean[n];
        for (int p = 0; p < n; p++) {
            largest[p] = bestId != 0 && component[p] == bestId;
        }
        return largest;
    }

    /** Sets background regions that do not reach the border to foreground. */
    private static void fillHoles(boolean[] mask, int h, int w) {
        int n = h * w;
        int[] reached = new int[n];
        int[] queue = new int[n];
        for (int p : borderPixels(h, w)) {
            if (!mask[p] && reached[p] == 0) {
                flood(mask, false, reached, 1, p, queue, h, w);
            }
        }
        for (int p = 0; p < n; p++) {
            if (!mask[p] && reached[p] == 0) {
                mask[p] = true;
            }
        }
    }

    /** Labels the 4-connected region of pixels whose mask value is {@code value}; returns its size. */
    private static int flood(boolean[] mask, boolean value, int[] labels, int id, int start, int[] queue, int h, int w) {
        int head = 0;
        int tail = 0;
        queue[tail++] = start;
        labels[start] = id;
        while (head < tail) {
            int p = queue[head++];
            int x = p % w;
            int y = p / w;
            int[] neighbours = {x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1};
            for (int q : neighbours) {
                if (q >= 0 && mask[q] == value && labels[q] == 0) {
                    labels[q] = id;
                    queue[tail++] = q;
                }
            }
        }
        return tail;
    }

    /** Per-channel median over the selected pixels. */
    private static float[] medianOf(float[] image, boolean[] selected, int n) {
        int count = 0;
        for (boolean s : selected) {
            count += s ? 1 : 0;
        }
        float[] out = new float[3];
        if (count == 0) {
            return out;
        }
        float[] values = new float[count];
        for (int c = 0; c < 3; c++) {
            int k = 0;
            for (int p = 0; p < n; p++) {
                if (selected[p]) {
                    values[k++] = image[c * n + p];
                }
            }
            out[c] = median(values);
        }
        return out;
    }

    private static float median(float[] values) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static int argmin(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] < values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** 1 − best/runner-up: 0 for a tie, near 1 for a clear winner. */
    private static double margin(double[] distances, int best) {
        double second = Double.POSITIVE_INFINITY;
        for (int i = 0; i < distances.length; i++) {
            if (i != best) {
                second = Math.min(second, distances[i]);
            }
        }
        return second > 0 ? 1 - distances[best] / second : 0;
    }
}
