package dev.t2i.image;

/**
 * Lets Java2D and ImageIO run on machines without a display (servers, CI, containers).
 * The property only takes effect if it is set before AWT first initialises, so every class
 * in this package calls {@link #ensure()} from its static initialiser.
 */
public final class Headless {
    private Headless() {
    }

    /** Sets {@code java.awt.headless=true} unless the user already chose a value. */
    public static void ensure() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }
}
