package dev.t2i.data.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON Lines manifests of {"image": path, "caption": text}. */
class JsonlManifestSourceTest {
    @TempDir
    Path tmp;

    private Path manifest(String... lines) throws IOException {
        Path file = tmp.resolve("set/manifest.jsonl");
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines));
        return file;
    }

    @Test
    void resolvesRelativePathsAgainstTheManifestFolder() throws IOException {
        TestFiles.writeImage(tmp.resolve("set/img/a.png"), TestFiles.solid(6, 6, 0x112233));
        Path absolute = tmp.resolve("elsewhere/b.png");
        TestFiles.writeImage(absolute, TestFiles.solid(6, 6, 0x445566));
        Path file = manifest(
                "{\"image\": \"img/a.png\", \"caption\": \"a small dark square\"}",
                "",
                "{\"caption\": \"a \\\"quoted\\\" caption\", \"image\": \"" + absolute.toString().replace("\\", "\\\\") + "\"}");
        CaptionedImages data = DatasetLoader.open(file.toString());
        assertEquals(2, data.size());
        assertEquals(List.of("a small dark square", "a \"quoted\" caption"), data.captions());
        assertFalse(data.hasLabels());
        assertEquals(-1, data.label(0));
        assertEquals(0x445566, data.image(1).getRGB(2, 2) & 0xFFFFFF);

        assertEquals(1, DatasetLoader.open(file.toString(), DatasetOptions.defaults().withLimit(1)).size());
    }

    @Test
    void namesTheLineOfABadEntry() throws IOException {
        TestFiles.writeImage(tmp.resolve("set/a.png"), TestFiles.solid(6, 6, 0x112233));
        Path broken = manifest("{\"image\": \"a.png\", \"caption\": \"ok\"}", "{\"image\": \"a.png\", caption}");
        T2iException e = assertThrows(T2iException.class, () -> DatasetLoader.open(broken.toString()));
        assertTrue(e.getMessage().startsWith(broken + " line 2 is not valid JSON"), e.getMessage());

        Path noCaption = manifest("{\"image\": \"a.png\"}");
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(noCaption.toString()));
        assertTrue(e.getMessage().contains("line 1 has no \"caption\""), e.getMessage());

        Path missing = manifest("{\"image\": \"nope.png\", \"caption\": \"x\"}");
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(missing.toString()));
        assertTrue(e.getMessage().contains("line 1: image nope.png not found"), e.getMessage());

        Path empty = manifest("", "  ");
        e = assertThrows(T2iException.class, () -> DatasetLoader.open(empty.toString()));
        assertTrue(e.getMessage().contains("lists no images"), e.getMessage());
    }
}
