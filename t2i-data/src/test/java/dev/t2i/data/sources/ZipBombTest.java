package dev.t2i.data.sources;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.io.ModelArchive;
import dev.t2i.io.TensorFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files that inflate to far more than they hold are refused before they fill memory. */
class ZipBombTest {
    /** A zip whose entries are {@code mb} megabytes of zeros each (deflated to about 0.1 %). */
    static Path bomb(Path file, int entries, int mb) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            byte[] zeros = new byte[1 << 20];
            for (int e = 0; e < entries; e++) {
                zip.putNextEntry(new ZipEntry("part-" + e + ".png"));
                for (int i = 0; i < mb; i++) {
                    zip.write(zeros);
                }
                zip.closeEntry();
            }
        }
        return file;
    }

    @Test
    void aModelFileWhosePartsInflateToGigabytesIsRefusedUnread(@TempDir Path dir) throws IOException {
        Path file = bomb(dir.resolve("bomb.t2i"), 3, 40);
        assertTrue(Files.size(file) < 1_000_000, Files.size(file) + " bytes");
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> ModelArchive.read(file));
        assertTrue(e.getMessage().contains("parts declare 125829120 bytes"), e.getMessage());
    }

    @Test
    void anImageZipEntryOverTheLimitIsRefusedUnread(@TempDir Path dir) throws IOException {
        Path file = bomb(dir.resolve("images.zip"), 1, 65);
        try (FileTree tree = FileTree.open(file)) {
            IOException e = assertThrows(IOException.class, () -> tree.read("part-0.png"));
            assertTrue(e.getMessage().contains("over the 67108864 bytes"), e.getMessage());
        }
    }

}
