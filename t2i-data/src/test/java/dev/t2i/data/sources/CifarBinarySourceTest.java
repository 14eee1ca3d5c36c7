package dev.t2i.data.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.Captions;
import dev.t2i.data.DatasetOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR-10 binary reading on synthetic files with the official record layout. */
class CifarBinarySourceTest {
    private static final int RECORD = 3073;

    @TempDir
    Path tmp;

    /** The pixel value of image {@code k} (counted over the whole split), channel c, pixel p. */
    private static int value(int k, int c, int p) {
        return (k * 7 + c * 50 + p) & 0xFF;
    }

    /** A batch file of {@code count} records starting at image number {@code first}, labels k % 10. */
    private static byte[] batch(int first, int count) {
        byte[] data = new byte[count * RECORD];
        for (int r = 0; r < count; r++) {
            int k = first + r;
            data[r * RECORD] = (byte) (k % 10);
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < 1024; p++) {
                    data[r * RECORD + 1 + c * 1024 + p] = (byte) value(k, c, p);
                }
            }
        }
        return data;
    }

    /** The five training batches of 4 records each, the test batch of 3, and the meta file. */
    private static Map<String, byte[]> files(String prefix) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(prefix + "batches.meta.txt", String.join("\n", Captions.CIFAR10_CLASSES).concat("\n\n")
                .getBytes(StandardCharsets.US_ASCII));
        // out of order on purpose: records must come in data_batch_1..5 order regardless
        for (int b : new int[] {3, 1, 2, 5, 4}) {
            files.put(prefix + "data_batch_" + b + ".bin", batch((b - 1) * 4, 4));
        }
        files.put(prefix + "test_batch.bin", batch(100, 3));
        return files;
    }

    private Path writeFolder() throws IOException {
        Path dir = tmp.resolve("cifar-10-batches-bin");
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : files("").entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        return dir;
    }

    private static void assertRecordsMatch(CaptionedImages data, int firstImage) {
        for (int i = 0; i < data.size(); i++) {
            int k = firstImage + i;
            assertEquals(k % 10, data.label(i));
            assertEquals(Captions.photoOf(Captions.CIFAR10_CLASSES.get(k % 10)), data.caption(i));
            BufferedImage image = data.image(i);
            // pixel p = row * 32 + col; red plane first, then green, then blue
            for (int p : new int[] {0, 1, 31, 32, 555, 1023}) {
                int rgb = image.getRGB(p % 32, p / 32);
                assertEquals(value(k, 0, p), (rgb >> 16) & 0xFF, "red of image " + k + " pixel " + p);
                assertEquals(value(k, 1, p), (rgb >> 8) & 0xFF, "green of image " + k + " pixel " + p);
                assertEquals(value(k, 2, p), rgb & 0xFF, "blue of image " + k + " pixel " + p);
            }
        }
    }

    @Test
    void readsTrainAndTestSplitsFromTheFolder() throws IOException {
        Path dir = writeFolder();
        CaptionedImages train = DatasetLoader.open(dir.toString());
        assertEquals(20, train.size());
        assertEquals(32, train.height());
        assertEquals(Captions.CIFAR10_CLASSES, train.classNames());
        assertRecordsMatch(train, 0);

        CaptionedImages test = DatasetLoader.open(dir.toString(), DatasetOptions.defaults().withSplit("test"));
        assertEquals(3, test.size());
        assertRecordsMatch(test, 100);
        assertEquals("a photo of an airplane", test.caption(0));
        assertEquals("a photo of an automobile", test.caption(1));
        assertEquals("a photo of a bird", test.caption(2));
    }

    @Test
    void findsTheBatchFolderInsideItsParent() throws IOException {
        writeFolder();
        assertEquals(20, DatasetLoader.open(tmp.toString()).size());
    }

    @Test
    void readsTheTarGzArchive() throws IOException {
        Path archive = tmp.resolve("cifar-10-binary.tar.gz");
        TestFiles.writeTarGz(archive, files("cifar-10-batches-bin/"));
        CaptionedImages train = DatasetLoader.open(archive.toString());
        assertEquals(20, train.size());
        assertRecordsMatch(train, 0);
        CaptionedImages test = DatasetLoader.open(archive.toString(), DatasetOptions.defaults().withSplit("test"));
        assertRecordsMatch(test, 100);
    }

    @Test
    void limitsPerClassAndInTotal() throws IOException {
        Path dir = writeFolder();
        CaptionedImages perClass = DatasetLoader.open(dir.toString(), DatasetOptions.defaults().withLimitPerClass(1));
        assertEquals(10, perClass.size(), "20 records, 2 per class, 1 kept per class");
        assertRecordsMatch(perClass, 0);
        CaptionedImages total = DatasetLoader.open(dir.toString(), DatasetOptions.defaults().withLimit(6));
        assertEquals(6, total.size());
        assertRecordsMatch(total, 0);
    }

    @Test
    void rejectsTruncatedAndForeignFiles() throws IOException {
        Path dir = writeFolder();
        Files.write(dir.resolve("data_batch_2.bin"), new byte[RECORD * 2 - 5]);
        T2iException e = assertThrows(T2iException.class, () -> DatasetLoader.open(dir.toString()));
        assertTrue(e.getMessage().contains("data_batch_2.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        byte[] badLabel = batch(0, 1);
        badLabel[0] = 42;
        Files.write(dir.resolve("data_batch_2.bin"), badLabel);
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(dir.toString()));
        assertTrue(e.getMessage().contains("label 42"), e.getMessage());
    }

    @Test
    void namesAMissingBatchFile() throws IOException {
        Path dir = writeFolder();
        Files.delete(dir.resolve("data_batch_4.bin"));
        T2iException e = assertThrows(T2iException.class, () -> DatasetLoader.open(dir.toString()));
        assertTrue(e.getMessage().contains("data_batch_4.bin is missing"), e.getMessage());
    }

    @Test
    void rejectsAnUnknownSplitAndAnArchiveThatIsNotCifar() throws IOException {
        Path dir = writeFolder();
        T2iException e = assertThrows(T2iException.class,
                () -> DatasetLoader.open(dir.toString(), DatasetOptions.defaults().withSplit("val")));
        assertTrue(e.getMessage().contains("use train or test"), e.getMessage());

        Path other = tmp.resolve("other.tar.gz");
        TestFiles.writeTarGz(other, Map.of("readme.txt", "hello".getBytes(StandardCharsets.US_ASCII)));
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(other.toString()));
        assertTrue(e.getMessage().contains("has no data_batch_1.bin"), e.getMessage());

        Path notGzip = tmp.resolve("plain.tar.gz");
        Files.write(notGzip, List.of("not gzip"));
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(notGzip.toString()));
        assertTrue(e.getMessage().contains("not a gzip file"), e.getMessage());
    }
}
