package dev.t2i.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArchiveTest {
    @TempDir
    Path dir;

    private static byte[] weights() {
        byte[] b = new byte[100_000];
        new Random(1).nextBytes(b);
        return b;
    }

    private Path written() {
        Path file = dir.resolve("m.zip");
        ModelArchive.create().putJson("config.json", List.of(1, 2, 3)).putBytes("weights.bin", weights()).write(file);
        return file;
    }

    @Test
    void partsRoundTripInOrder() {
        ModelArchive read = ModelArchive.read(written());
        assertEquals(List.of("config.json", "weights.bin"), List.copyOf(read.names()));
        assertArrayEquals(weights(), read.bytes("weights.bin"));
        assertEquals(3, read.json("config.json").size());
    }

    @Test
    void deflatedArchivesOfEarlierVersionsStillRead() throws IOException {
        Path file = dir.resolve("old.zip");
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("weights.bin"));
            zip.write(weights());
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("note.txt"));
            zip.write("a".repeat(10_000).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        ModelArchive read = ModelArchive.read(file);
        assertArrayEquals(weights(), read.bytes("weights.bin"));
        assertEquals(10_000, read.bytes("note.txt").length);
    }

    @Test
    void aFlippedByteInAStoredPartFailsItsCrc() throws IOException {
        Path file = written();
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x01; // inside the uncompressed weights
        Files.write(file, b);
        TensorFormatException e = assertThrows(TensorFormatException.class, () -> ModelArchive.read(file));
        assertTrue(e.getMessage().contains("'weights.bin' fails its CRC check"), e.getMessage());
    }

    @Test
    void truncatedAndMissingFilesGetClearErrors() throws IOException {
        Path file = written();
        byte[] b = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(b, b.length - 40));
        TensorFormatException cut = assertThrows(TensorFormatException.class, () -> ModelArchive.read(file));
        assertTrue(cut.getMessage().contains("corrupt or truncated"), cut.getMessage());
        TensorFormatException none = assertThrows(TensorFormatException.class,
                () -> ModelArchive.read(dir.resolve("nothing.zip")));
        assertTrue(none.getMessage().contains("not found"), none.getMessage());
    }
}
