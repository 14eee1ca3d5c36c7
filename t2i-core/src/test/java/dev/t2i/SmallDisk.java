package dev.t2i;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted for one test, which the test fills so that writes really fail with
 * ENOSPC ("No space left on device"), as on a full disk; nothing is simulated. Mounting needs
 * root (CI runs the tests as root); where it is refused or there is no {@code mount}, the test is
 * skipped with a message saying so.
 *
 * <p>tmpfs counts whole pages: a file's last page has room up to the page's end even on a full
 * disk, so appends there still succeed, and a write that crosses into a new page is cut short.
 */
public final class SmallDisk implements AutoCloseable {
    /** tmpfs allocates in pages of this size (x86-64 and arm64 Linux). */
    public static final int PAGE = 4096;
    private static final String FILLER = "filler";

    private final Path root;

    private SmallDisk(Path root) {
        this.root = root;
    }

    /** Mounts a tmpfs of {@code kib} KiB at {@code dir} (created), or skips the test where that is not allowed. */
    public static SmallDisk mount(Path dir, int kib) {
        try {
            Files.createDirectories(dir);
            String said = run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k,mode=0755", "tmpfs", dir.toString());
            Assumptions.assumeTrue(said == null, () -> "skipped: a full-disk test needs root to mount a small tmpfs"
                    + " at " + dir + " (mount said: " + said + ")");
        } catch (IOException e) {
            Assumptions.assumeTrue(false, "skipped: a full-disk test needs the mount command to mount a small tmpfs ("
                    + e.getMessage() + ")");
        }
        return new SmallDisk(dir);
    }

    /** The mounted folder. */
    public Path root() {
        return root;
    }

    /** Fills the disk: writes a filler file until the file system refuses with ENOSPC. */
    public SmallDisk fill() throws IOException {
        Path filler = root.resolve(FILLER);
        ByteBuffer chunk = ByteBuffer.allocate(16 * PAGE);
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (true) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
            }
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("No space left on device")) {
                throw e;
            }
        }
        return this;
    }

    /** Fills the disk, then frees {@code pages} pages of it again. */
    public SmallDisk leave(int pages) throws IOException {
        fill();
        Path filler = root.resolve(FILLER);
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.WRITE)) {
            // a full tmpfs stops at a page boundary: cutting whole pages frees exactly that many
            ch.truncate(Math.max(0, ch.size() - (long) pages * PAGE));
        }
        return this;
    }

    /** Removes the filler: the disk has its room back. */
    public void makeRoom() throws IOException {
        Files.deleteIfExists(root.resolve(FILLER));
    }

    /** Unmounts the tmpfs; its files go with it. */
    @Override
    public void close() throws IOException {
        String said = run("umount", root.toString());
        if (said != null) {
            // a file left open elsewhere keeps the mount busy: detach it now, it goes once closed
            said = run("umount", "-l", root.toString());
        }
        if (said != null) {
            throw new IOException("cannot unmount the test's tmpfs at " + root + ": " + said);
        }
    }

    /** Runs a command; null when it succeeded, else what it printed. */
    private static String run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            int code = p.waitFor();
            return code == 0 ? null : (out.isEmpty() ? "exit code " + code : out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command[0], e);
        }
    }
}
