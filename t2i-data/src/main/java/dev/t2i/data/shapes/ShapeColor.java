package dev.t2i.data.shapes;

import java.util.Locale;

/**
 * The palette of the built-in data set. The values are far apart in RGB (at least about 95
 * levels between any two) and far from the grey backgrounds (at least about 140), so a colour
 * stays recognisable in a noisy generated image.
 */
public enum ShapeColor {
    RED(215, 35, 35),
    GREEN(40, 170, 60),
    BLUE(40, 80, 220),
    YELLOW(235, 225, 40),
    PURPLE(150, 60, 190),
    ORANGE(240, 130, 20);

    private final int red;
    private final int green;
    private final int blue;

    ShapeColor(int red, int green, int blue) {
        this.red = red;
        this.green = green;
        this.blue = blue;
    }

    public int red() {
        return red;
    }

    public int green() {
        return green;
    }

    public int blue() {
        return blue;
    }

    /** The word used in captions: "red". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Euclidean RGB distance to a colour given on the 0..255 scale. */
    public double distance(double r, double g, double b) {
        double dr = r - red;
        double dg = g - green;
        double db = b - blue;
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }
}
