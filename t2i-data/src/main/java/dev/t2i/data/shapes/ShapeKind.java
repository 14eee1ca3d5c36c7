package dev.t2i.data.shapes;

import java.util.Locale;

/** The shapes the built-in data set draws, each axis-aligned (triangles point up). */
public enum ShapeKind {
    CIRCLE,
    SQUARE,
    TRIANGLE;

    /** The word used in captions: "circle". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
