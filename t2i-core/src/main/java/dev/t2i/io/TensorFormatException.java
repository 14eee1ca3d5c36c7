package dev.t2i.io;

import dev.t2i.T2iException;

/** A model or tensor file that cannot be read as expected; the message names the file and the fix. */
public class TensorFormatException extends T2iException {
    public TensorFormatException(String message) {
        super(message);
    }

    public TensorFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
