package dev.t2i.data.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.TestData;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.Captions;
import dev.t2i.data.DatasetOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The shared JPEG copy of CIFAR-10, {@code ../shared/data/cifar10-jpg.zip} (not committed). */
class CifarJpgZipTest {
    @Test
    void readsAFewImagesPerClass() {
        Path zip = TestData.shared("data/cifar10-jpg.zip");
        CaptionedImages data = DatasetLoader.open(zip.toString(), DatasetOptions.defaults().withLimitPerClass(20));
        assertEquals(200, data.size());
        assertEquals(32, data.height());
        assertEquals(32, data.width());
        assertEquals(Captions.CIFAR10_CLASSES, data.classNames());
        assertEquals("a photo of an airplane", data.caption(0));
        assertEquals(0, data.label(0));
        assertEquals("a photo of a truck", data.caption(199));
        assertEquals(9, data.label(199));
        assertTrue(data.warnings().isEmpty(), data.warnings().toString());

        CaptionedImages test = DatasetLoader.open(zip.toString(),
                DatasetOptions.defaults().withSplit("test").withLimit(25).withImageSize(32));
        assertEquals(25, test.size());
        for (int c = 0; c < 10; c++) {
            int label = c;
            long count = java.util.stream.IntStream.range(0, 25).filter(i -> test.label(i) == label).count();
            assertTrue(count == 2 || count == 3, "round-robin over classes gives 2 or 3 each, class " + c + ": " + count);
        }
    }

    /** The whole training split; run with -Dsurefire.excludedGroups= to time it. */
    @Test
    @Tag("slow")
    void loadsTheWholeTrainingSplit() {
        Path zip = TestData.shared("data/cifar10-jpg.zip");
        long start = System.nanoTime();
        CaptionedImages data = DatasetLoader.open(zip.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("loaded %s in %.1f s%n", data, seconds);
        assertEquals(50_000, data.size());
        assertTrue(data.warnings().isEmpty(), data.warnings().toString());
    }
}
