package dev.t2i.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.SmallDisk;
import dev.t2i.image.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The atomic writers on a tmpfs that is really full: one clear error, the old file intact, nothing torn. */
class DiskFullTest {
    @Test
    void aPngOnAFullDiskFailsInOneLineAndKeepsTheOldFile(@TempDir Path dir) throws IOException {
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 256)) {
            Path png = disk.root().resolve("a.png");
            Images.writePng(png, image(0xff0000));
            byte[] before = Files.readAllBytes(png);

            disk.fill();
            DiskFullException e = assertThrows(DiskFullException.class, () -> Images.writePng(png, image(0x00ff00)));
            assertEquals("disk full while writing " + png + " (No space left on device): free space and run the"
                    + " command again", e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(png), "the PNG written before is untouched");
            assertEquals(List.of("a.png", "filler"), names(disk.root()), "the temporary file is deleted");

            disk.makeRoom();
            Images.writePng(png, image(0x00ff00));
            assertEquals(0x00ff00, javax.imageio.ImageIO.read(png.toFile()).getRGB(0, 0) & 0xffffff);
        }
    }

    @Test
    void anAppendTheDiskHasNoRoomForIsCutOffAgain(@TempDir Path dir) throws IOException {
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 256)) {
            Path file = disk.root().resolve("lines.txt");
            String line = "twenty-one characters"; // 22 bytes with its newline, and 4096 is no multiple of 22
            // up to the end of the first page, short of room for one more line: the next append
            // fits partly in the page and then meets ENOSPC
            AtomicFiles.appendLine(file, line);
            while (SmallDisk.PAGE - Files.size(file) % SmallDisk.PAGE > line.length() + 1) {
                AtomicFiles.appendLine(file, line);
            }
            long good = Files.size(file);
            assertTrue(good % SmallDisk.PAGE != 0, "a partial write needs room left in the last page");

            disk.fill();
            DiskFullException e = assertThrows(DiskFullException.class, () -> AtomicFiles.appendLine(file, line));
            assertTrue(e.getMessage().startsWith("disk full while writing " + file + " (No space left on device)"),
                    e.getMessage());
            assertEquals(good, Files.size(file), "the part of the line that fitted is cut off");
            assertTrue(Files.readString(file).endsWith(line + "\n"));

            disk.makeRoom();
            AtomicFiles.appendLine(file, "after");
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertEquals("after", lines.get(lines.size() - 1));
            assertTrue(lines.subList(0, lines.size() - 1).stream().allMatch(line::equals), "no torn line between");
        }
    }

    @Test
    void aDiskFullCauseIsFoundWhereverItIsWrapped() {
        IOException enospc = new FileSystemException("/x/y.png", null, "No space left on device");
        DiskFullException found = DiskFullException.find(new UncheckedIOException(enospc));
        assertEquals("disk full while writing /x/y.png (No space left on device): free space and run the command"
                + " again", found.getMessage());
        assertEquals("disk full while writing /x/y.png (Disk quota exceeded): free space and retry",
                DiskFullException.of("/x/y.png", new IOException("Disk quota exceeded")).withAdvice(
                        "free space and retry").getMessage());
        assertNull(DiskFullException.find(new IOException("Permission denied")));
        // a file named like the reason is not a full disk: only the system's reason counts
        assertNull(DiskFullException.find(new FileSystemException("No space left on device", null, "Is a directory")));
        assertInstanceOf(TensorFormatException.class, DiskFullException.onWrite(Path.of("/x"), new IOException("x")));
    }

    static BufferedImage image(int rgb) {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                image.setRGB(x, y, rgb ^ (x * 7 + y * 13));
            }
        }
        return image;
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
