package dev.t2i.io;

import dev.t2i.T2iException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;

/**
 * A write that failed because the file system has no room left (ENOSPC) or the user's quota is
 * spent (EDQUOT). Its message is one line that names the file, the system's reason and what to
 * do, for instance {@code disk full while writing run/checkpoints/step-00000030.t2i (No space left
 * on device): free space and run the command again}. The writers that raise it leave nothing
 * under the file's name that could be taken for a finished file.
 *
 * <p>Java reports both conditions as a plain {@link IOException} (or a
 * {@link FileSystemException}) whose text is the C library's; that text is the only sign, so it
 * is matched here, in one place, rather than at every writer.
 */
public final class DiskFullException extends T2iException {
    /** What to do when the caller knows nothing better. */
    public static final String RUN_AGAIN = "free space and run the command again";
    /** The C library's texts for ENOSPC and EDQUOT, as the JDK passes them on. */
    private static final List<String> REASONS = List.of("No space left on device", "Disk quota exceeded");

    private final String file;
    private final String reason;

    private DiskFullException(String file, String reason, String advice, Throwable cause) {
        super((file == null ? "disk full" : "disk full while writing " + file) + " (" + reason + "): " + advice,
                cause);
        this.file = file;
        this.reason = reason;
    }

    /** The same failure with other advice, such as {@code "free space and rerun with --resume"}. */
    public DiskFullException withAdvice(String advice) {
        return new DiskFullException(file, reason, advice, getCause());
    }

    /**
     * The project's exception for a failed write of {@code file}: a {@code DiskFullException}
     * when the disk is full, else a {@link TensorFormatException} saying the file cannot be
     * written and why.
     */
    public static T2iException onWrite(Path file, IOException e) {
        DiskFullException full = of(file.toString(), e);
        return full != null ? full : new TensorFormatException("cannot write " + file + ": " + e.getMessage(), e);
    }

    /**
     * A {@code DiskFullException} for a failed write of {@code file} when {@code e} or one of its
     * causes says the disk is full, else null. The file is text so that a Hadoop path
     * ({@code hdfs://...}), which is no {@link Path}, can be named too.
     */
    public static DiskFullException of(String file, Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String reason = reasonOf(c);
            if (reason != null) {
                return new DiskFullException(file, reason, RUN_AGAIN, e);
            }
        }
        return null;
    }

    /**
     * The disk-full failure somewhere in {@code e}'s cause chain, or null: the one raised by a
     * writer, or one made from an {@link IOException} that says the disk is full (a writer this
     * class does not know yet, a library's own file). Used by the command line's last resort, so
     * that even those end in one line rather than a stack trace.
     */
    public static DiskFullException find(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof DiskFullException d) {
                return d;
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (reasonOf(c) != null) {
                return of(c instanceof FileSystemException f ? f.getFile() : null, e);
            }
        }
        return null;
    }

    /** The disk-full reason {@code e} itself gives, or null. */
    private static String reasonOf(Throwable e) {
        if (!(e instanceof IOException)) {
            return null;
        }
        // a FileSystemException's message also holds the file names, which may contain anything
        String text = e instanceof FileSystemException f ? f.getReason() : e.getMessage();
        if (text == null) {
            return null;
        }
        for (String r : REASONS) {
            if (text.contains(r)) {
                return r;
            }
        }
        return null;
    }
}
