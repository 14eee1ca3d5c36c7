package dev.t2i;

/**
 * An error caused by input the user can fix (a missing file, a malformed config, a bad option).
 * Its message is one line that names the problem and the fix; the command line prints it
 * without a stack trace.
 */
public class T2iException extends RuntimeException {
    public T2iException(String message) {
        super(message);
    }

    public T2iException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The first {@code T2iException} in {@code e}'s cause chain, or null: a config class that
     * rejects a value throws one, and a JSON or YAML reader hands it on wrapped in its own.
     */
    public static T2iException within(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof T2iException t) {
                return t;
            }
        }
        return null;
    }
}
