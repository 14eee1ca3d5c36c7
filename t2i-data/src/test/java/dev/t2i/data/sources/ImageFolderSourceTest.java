package dev.t2i.data.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.Captions;
import dev.t2i.data.DatasetOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders laid out as {@code <split>/<class>/*.png|jpg}, as folders and zips. */
class ImageFolderSourceTest {
    private static final int RED = 0xC81E1E;
    private static final int GREEN = 0x1EB43C;

    @TempDir
    Path tmp;

    /** train/{zebra: 3 red, ant: 2 green}, test/{zebra: 1, ant: 1}, 8×8 PNGs. */
    private Path writeFolder() throws IOException {
        Path root = tmp.resolve("animals");
        for (int i = 0; i < 3; i++) {
            TestFiles.writeImage(root.resolve("train/zebra/z" + i + ".png"), TestFiles.solid(8, 8, RED));
        }
        for (int i = 0; i < 2; i++) {
            TestFiles.writeImage(root.resolve("train/ant/a" + i + ".png"), TestFiles.solid(8, 8, GREEN));
        }
        TestFiles.writeImage(root.resolve("test/zebra/z.png"), TestFiles.solid(8, 8, RED));
        TestFiles.writeImage(root.resolve("test/ant/a.png"), TestFiles.solid(8, 8, GREEN));
        Files.writeString(root.resolve("train/README.txt"), "not an image");
        return root;
    }

    @Test
    void readsAFolderWithSortedClassLabels() throws IOException {
        CaptionedImages data = DatasetLoader.open(writeFolder().toString());
        assertEquals(5, data.size());
        assertEquals(8, data.height());
        assertEquals(List.of("ant", "zebra"), data.classNames());
        assertEquals(List.of("an ant", "an ant", "a zebra", "a zebra", "a zebra").stream()
                .map(s -> "a photo of " + s).toList(), data.captions());
        assertEquals(0, data.label(0));
        assertEquals(1, data.label(4));
        assertEquals(GREEN, data.image(0).getRGB(3, 3) & 0xFFFFFF);
        assertEquals(RED, data.image(4).getRGB(3, 3) & 0xFFFFFF);
        assertTrue(data.warnings().isEmpty());

        CaptionedImages test = DatasetLoader.open(writeFolder().toString(), DatasetOptions.defaults().withSplit("test"));
        assertEquals(2, test.size());
    }

    @Test
    void readsAZipWithOneTopFolderAndSkipsACorruptImage() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("pets/train/dog/b.jpg", TestFiles.encode(TestFiles.solid(8, 8, RED), "jpg"));
        entries.put("pets/train/dog/a.png", TestFiles.encode(TestFiles.solid(8, 8, RED), "png"));
        entries.put("pets/train/cat/broken.png", "this is not a png".getBytes(StandardCharsets.US_ASCII));
        entries.put("pets/train/cat/ok.png", TestFiles.encode(TestFiles.solid(8, 8, GREEN), "png"));
        entries.put("__MACOSX/pets/train/._cat", new byte[] {1, 2, 3});
        Path zip = tmp.resolve("pets.zip");
        TestFiles.writeZip(zip, entries);

        CaptionedImages data = DatasetLoader.open(zip.toString());
        assertEquals(3, data.size());
        assertEquals(List.of("cat", "dog"), data.classNames());
        assertEquals(List.of(0, 1, 1), List.of(data.label(0), data.label(1), data.label(2)));
        assertEquals("a photo of a dog", data.caption(2));
        assertEquals(2, data.warnings().size(), "one line per skipped file and a summary");
        assertTrue(data.warnings().get(0).contains("pets/train/cat/broken.png"), data.warnings().get(0));
        assertTrue(data.warnings().get(1).contains("skipped 1 of 4 images"), data.warnings().get(1));
    }

    @Test
    void reportsATruncatedJpegAsCorrupt() throws IOException {
        byte[] jpeg = TestFiles.encode(TestFiles.solid(32, 32, RED), "jpg");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train/x/good.jpg", jpeg);
        entries.put("train/x/cut.jpg", java.util.Arrays.copyOf(jpeg, jpeg.length / 2));
        Path zip = tmp.resolve("cut.zip");
        TestFiles.writeZip(zip, entries);
        CaptionedImages data = DatasetLoader.open(zip.toString());
        assertEquals(1, data.size());
        assertTrue(data.warnings().get(0).contains("cut.jpg"), data.warnings().get(0));
    }

    @Test
    void limitsPerClassAndInTotalRoundRobin() throws IOException {
        Path root = writeFolder();
        CaptionedImages perClass = DatasetLoader.open(root.toString(), DatasetOptions.defaults().withLimitPerClass(1));
        assertEquals(2, perClass.size());
        CaptionedImages total = DatasetLoader.open(root.toString(), DatasetOptions.defaults().withLimit(3));
        assertEquals(3, total.size());
        assertEquals(List.of(0, 0, 1), List.of(total.label(0), total.label(1), total.label(2)),
                "round-robin: ant, zebra, ant; stored class-major");
    }

    @Test
    void rejectsAnImageOfAnotherSize() throws IOException {
        Path root = writeFolder();
        Path odd = root.resolve("train/zebra/z9.png");
        TestFiles.writeImage(odd, TestFiles.solid(16, 8, RED));
        T2iException e = assertThrows(T2iException.class, () -> DatasetLoader.open(root.toString()));
        assertTrue(e.getMessage().contains(odd.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("is 16x8 but"), e.getMessage());

        Files.delete(odd);
        e = assertThrows(T2iException.class,
                () -> DatasetLoader.open(root.toString(), DatasetOptions.defaults().withImageSize(32)));
        assertTrue(e.getMessage().contains("requested image size is 32x32"), e.getMessage());
    }

    @Test
    void namesAMissingSplitAndAnEmptySplit() throws IOException {
        Path root = writeFolder();
        T2iException e = assertThrows(T2iException.class,
                () -> DatasetLoader.open(root.toString(), DatasetOptions.defaults().withSplit("val")));
        assertTrue(e.getMessage().contains("cannot tell the layout"), e.getMessage());

        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("train/cat/notes.txt", new byte[] {1});
        Path zip = tmp.resolve("empty.zip");
        TestFiles.writeZip(zip, entries);
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(zip.toString()));
        assertTrue(e.getMessage().startsWith("no images in " + zip), e.getMessage());

        e = assertThrows(T2iException.class,
                () -> DatasetLoader.open(zip.toString(), DatasetOptions.defaults().withSplit("test")));
        assertTrue(e.getMessage().contains("no 'test' folder"), e.getMessage());
    }

    @Test
    void givesCifarClassFoldersCifarLabelOrder() throws IOException {
        Path root = tmp.resolve("cifar");
        for (String c : Captions.CIFAR10_CLASSES) {
            TestFiles.writeImage(root.resolve("train/" + c + "/0.png"), TestFiles.solid(4, 4, RED));
        }
        CaptionedImages data = DatasetLoader.open(root.toString());
        assertEquals(Captions.CIFAR10_CLASSES, data.classNames());
        for (int i = 0; i < 10; i++) {
            assertEquals(i, data.label(i));
        }
    }
}
