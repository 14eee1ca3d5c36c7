package dev.t2i.eval;

import dev.t2i.data.shapes.ShapeColor;
import dev.t2i.data.shapes.ShapeKind;
import dev.t2i.data.shapes.ShapePrompt;

/**
 * What {@link ShapeDetector} saw in one image.
 *
 * @param color       nearest palette colour of the shape, or null if no shape was found
 * @param shape       the shape, or null if no shape was found
 * @param confidence  0..1: how much closer the answer is than the runner-up, for the weaker of
 *                    colour and shape (0 = a tie, or nothing found)
 * @param fill        shape area over the area of its bounding box (square 1, circle π/4,
 *                    triangle 1/2)
 * @param skew        skewness of the shape's mass along the vertical axis (0 for circles and
 *                    squares, about −0.57 for an upward triangle)
 * @param area        shape area in pixels
 */
public record Detection(ShapeColor color, ShapeKind shape, double confidence, double fill, double skew,
                        double area) {
    /** A result for an image in which no shape stands out from the background. */
    public static Detection none() {
        return new Detection(null, null, 0, Double.NaN, Double.NaN, 0);
    }

    /** Whether a shape was found. */
    public boolean found() {
        return color != null && shape != null;
    }

    /** Whether the image shows what the prompt asked for (colour and shape). */
    public boolean matches(ShapePrompt prompt) {
        return prompt.color() == color && prompt.shape() == shape;
    }

    @Override
    public String toString() {
        return found()
                ? String.format(java.util.Locale.ROOT, "%s %s (confidence %.2f, fill %.2f, skew %.2f, area %.0f)",
                        color.word(), shape.word(), confidence, fill, skew, area)
                : "no shape";
    }
}
