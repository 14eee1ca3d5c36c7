package dev.t2i.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files through a temporary sibling and a rename, so an interrupted write never leaves a
 * torn file, and appends lines whole or not at all. A full disk is reported as a
 * {@link DiskFullException} naming the file, anything else as a {@link TensorFormatException}.
 */
public final class AtomicFiles {
    /** The body of a write, given a buffered stream to the temporary file. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code value} as indented JSON ({@link ModelArchive#JSON}) to {@code path}, atomically. */
    public static void writeJson(Path path, Object value) {
        write(path, out -> ModelArchive.JSON.writeValue(out, value));
    }

    /** Writes {@code path} atomically with the given body. */
    public static void write(Path path, Body body) {
        Path abs = path.toAbsolutePath();
        Path tmp = null;
        try {
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            // a fresh name per write: concurrent writers cannot collide and a planted file or link is
            // never followed (createTempFile refuses an existing name)
            tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
            try {
                // createTempFile makes owner-only files; the result is an ordinary file
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: its defaults apply
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                BufferedOutputStream buffered = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch),
                        1 << 20);
                // a body that closes its stream (zip writers, JSON writers) must not close the channel early
                body.write(new java.io.FilterOutputStream(buffered) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush();
                    }
                });
                buffered.flush();
                ch.force(true);
            }
            move(tmp, abs);
            syncFolder(abs.getParent());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            // a full disk gets its own one-line message (DiskFullException); the temporary file is gone
            throw DiskFullException.onWrite(path, (IOException) e);
        }
    }

    /**
     * Appends one line (a newline is added) so that a failed append leaves the file as it was:
     * when the disk fills mid-line, the part that was written is cut off again, so a reader never
     * sees half a line that happens to parse. A last line left without its newline by a killed
     * writer is ended first, so that the new line is not glued onto it. Creates the file.
     */
    public static void appendLine(Path file, String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            long before = ch.size();
            try {
                if (before > 0 && !endsWithNewline(ch, before)) {
                    writeFully(ch, ByteBuffer.wrap(new byte[] {'\n'}), before);
                }
                writeFully(ch, ByteBuffer.wrap(bytes), ch.size());
            } catch (IOException e) {
                try {
                    ch.truncate(before);
                } catch (IOException undo) {
                    // the readers still drop a last line without its newline
                    e.addSuppressed(undo);
                }
                throw e;
            }
        } catch (IOException e) {
            throw DiskFullException.onWrite(file, e);
        }
    }

    private static boolean endsWithNewline(FileChannel ch, long size) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        ch.read(last, size - 1);
        return last.get(0) == '\n';
    }

    /** Writes all of {@code b} at {@code position}; a short write (a disk filling up) is followed by the error. */
    private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        while (b.hasRemaining()) {
            position += ch.write(b, position);
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the original error is the one worth reporting
        }
    }

    /** Makes a rename durable: on Linux the folder itself must be synced too. */
    private static void syncFolder(Path dir) {
        if (dir == null) {
            return;
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir,
                java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // some file systems cannot sync a folder; the file itself was synced
        }
    }

    /** Moves a finished temporary file over its destination, atomically where the file system allows. */
    public static void move(Path tmp, Path dest) throws IOException {
        try {
            Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
