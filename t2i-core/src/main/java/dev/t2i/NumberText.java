package dev.t2i;

/**
 * Numbers as a person writes them in parameters, file names and log lines: {@code 4} rather than
 * {@code 4.0}, {@code 0.85} as Java prints it. One form everywhere, so that text a user copies
 * from a PNG's parameters or a log reads back as the same number.
 */
public final class NumberText {
    private NumberText() {
    }

    /** {@code v} without a trailing {@code .0} when it is a whole number, else as {@link Double#toString}. */
    public static String of(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
