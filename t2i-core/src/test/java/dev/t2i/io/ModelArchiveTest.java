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

    @Test
    void streamedTensorPartsHoldTheSameBytesAsEncodedOnesAndReadBack() {
        org.nd4j.linalg.api.ndarray.INDArray base = org.nd4j.linalg.factory.Nd4j.linspace(-3, 3, 4 * 600,
                org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape(4, 600);
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> tensors = new java.util.LinkedHashMap<>();
        tensors.put("plain", base);
        tensors.put("transposed", base.transpose());   // a view in 'f' order
        tensors.put("rows", base.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3)));   // a view with an offset
        tensors.put("long", org.nd4j.linalg.factory.Nd4j.createFromArray(1L, -2L, 3L << 40));
        tensors.put("double", org.nd4j.linalg.factory.Nd4j.createFromArray(0.5, -1e300));
        tensors.put("half", base.castTo(org.nd4j.linalg.api.buffer.DataType.HALF));
        Path file = dir.resolve("s.zip");
        ModelArchive.create().putJson("a.json", List.of(1)).putTensors("t.safetensors", tensors).write(file);

        ModelArchive read = ModelArchive.read(file);
        assertEquals(List.of("a.json", "t.safetensors"), List.copyOf(read.names()));
        assertArrayEquals(Safetensors.toBytes(tensors, null), read.bytes("t.safetensors"),
                "streamed from native memory, byte for byte what the in-memory encoding gives");
        var back = Safetensors.readAll(read.bytes("t.safetensors"));
        assertEquals(base.transpose(), back.get("transposed"));
        assertEquals(base.getRow(2), back.get("rows").getRow(1));
        assertEquals(3L << 40, back.get("long").getLong(2));
    }
}
