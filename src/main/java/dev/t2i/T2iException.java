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
}
