package dev.t2i.data.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the reader from the spec, and the messages for specs that name no data set. */
class DatasetLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void opensTheBuiltInShapes() {
        CaptionedImages data = DatasetLoader.open("shapes",
                DatasetOptions.defaults().withLimit(30).withImageSize(16).withSeed(5));
        assertEquals(30, data.size());
        assertEquals(16, data.width());
        assertEquals(18, data.classNames().size());
    }

    @Test
    void namesAMissingPath() {
        Path missing = tmp.resolve("no-such-data");
        T2iException e = assertThrows(T2iException.class, () -> DatasetLoader.open(missing.toString()));
        assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());
        assertTrue(e.getMessage().contains("'shapes'"), "lists the layouts: " + e.getMessage());
    }

    @Test
    void rejectsUnknownLayouts() throws IOException {
        Path dir = tmp.resolve("misc");
        Files.createDirectories(dir.resolve("photos"));
        Files.writeString(dir.resolve("photos/notes.txt"), "x");
        T2iException e = assertThrows(T2iException.class, () -> DatasetLoader.open(dir.toString()));
        assertTrue(e.getMessage().startsWith("cannot tell the layout of folder " + dir), e.getMessage());

        Path csv = tmp.resolve("captions.csv");
        Files.writeString(csv, "a,b");
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(csv.toString()));
        assertTrue(e.getMessage().startsWith("cannot tell the layout of " + csv), e.getMessage());

        Path notZip = tmp.resolve("broken.zip");
        Files.writeString(notZip, "not a zip");
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(notZip.toString()));
        assertTrue(e.getMessage().contains("is not a readable zip archive"), e.getMessage());

        e = assertThrows(T2iException.class, () -> DatasetLoader.open(" "));
        assertTrue(e.getMessage().startsWith("no data set given"), e.getMessage());
    }

    @Test
    void rejectsBadOptions() {
        T2iException e = assertThrows(T2iException.class, () -> DatasetOptions.defaults().withLimit(-1));
        assertTrue(e.getMessage().contains("cannot be negative"), e.getMessage());
        e = assertThrows(T2iException.class,
                () -> DatasetLoader.open("shapes", DatasetOptions.defaults().withSplit("validation")));
        assertTrue(e.getMessage().contains("use train, test or heldout"), e.getMessage());
    }
}
