package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageClassifierTest {
    /**
     * Noisy 16x16 images whose class is where a bright square sits: top or bottom (a task that
     * survives the training's flips and crops).
     */
    static CaptionedImages squares(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int size = 16;
        byte[] pixels = new byte[n * 3 * size * size];
        int[] labels = new int[n];
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            captions.add(labels[i] == 0 ? "top" : "bottom");
            int y0 = labels[i] == 0 ? rng.nextInt(1, 4) : rng.nextInt(9, 12);
            int x0 = rng.nextInt(0, 12);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        boolean in = x >= x0 && x < x0 + 4 && y >= y0 && y < y0 + 4;
                        int v = (in ? 200 : 40) + rng.nextInt(-30, 30);
                        pixels[((i * 3 + c) * size + y) * size + x] = (byte) v;
                    }
                }
            }
        }
        return new CaptionedImages("squares", size, size, pixels, captions, labels, List.of("top", "bottom"),
                List.of());
    }

    @Test
    void learnsAnEasyTaskAndSurvivesASaveAndLoad(@TempDir Path dir) {
        CaptionedImages train = squares(512, 1);
        CaptionedImages test = squares(200, 2);
        List<Double> losses = new ArrayList<>();
        ImageClassifier c = ImageClassifier.train(train, new ImageClassifier.Settings(4, 3, 32, 1e-2, 0),
                (epoch, loss, secs, clf) -> losses.add(loss));
        assertEquals(3, losses.size());
        assertTrue(losses.get(2) < losses.get(0), "loss per epoch " + losses);
        double accuracy = c.accuracy(test);
        assertTrue(accuracy > 0.9, "test accuracy " + accuracy);

        Path file = dir.resolve("clf.zip");
        c.save(file);
        ImageClassifier loaded = ImageClassifier.load(file);
        assertEquals(List.of("top", "bottom"), loaded.classNames());
        int[] idx = java.util.stream.IntStream.range(0, 50).toArray();
        assertArrayEquals(c.predict(test.batch(idx).images()), loaded.predict(test.batch(idx).images()));
    }

    @Test
    void refusesMissingFilesAndUnlabelledData(@TempDir Path dir) throws Exception {
        T2iException e = assertThrows(T2iException.class, () -> ImageClassifier.load(dir.resolve("none.zip")));
        assertTrue(e.getMessage().contains("train-classifier"), e.getMessage());
        Files.write(dir.resolve("x.zip"), new byte[] {1, 2, 3});
        e = assertThrows(T2iException.class, () -> ImageClassifier.load(dir.resolve("x.zip")));
        assertTrue(e.getMessage().contains("class list"), e.getMessage());
        CaptionedImages unlabelled = new CaptionedImages("u", 8, 8, new byte[3 * 64], List.of("a"), null, List.of(),
                List.of());
        e = assertThrows(T2iException.class,
                () -> ImageClassifier.train(unlabelled, ImageClassifier.Settings.defaults(), null));
        assertTrue(e.getMessage().contains("classes"), e.getMessage());
    }

    @Test
    void reportCountsAskedAgainstClassified() {
        int[][] confusion = {{8, 2}, {5, 5}};
        ClassAccuracy.Report r = new ClassAccuracy.Report(List.of("cat", "dog"), confusion, null, 0, new int[2][0]);
        assertEquals(10, r.perClass());
        assertEquals(0.65, r.accuracy(), 1e-12);
        assertEquals(0.8, r.accuracy(0), 1e-12);
        assertEquals(0.5, r.accuracy(1), 1e-12);
        assertTrue(r.table().contains("dog             0.500  cat (5)"), r.table());
    }
}
