package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.ImageAssertions;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TinyBundles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the example as its users would, on a tiny bundle: this project compiles against t2i-core
 * and one ND4J backend alone, so it also proves that is all an application needs.
 */
class GenerateExampleTest {
    @Test
    void writesTwoPngsOfThePromptThatMatchTheApi(@TempDir Path dir) throws Exception {
        Path bundle = TinyBundles.bundle(dir, 5);
        Path out = dir.resolve("example");

        GenerateExample.main(new String[] {bundle.toString(), out.toString()});

        BufferedImage first = ImageIO.read(Path.of(out + "-0.png").toFile());
        BufferedImage second = ImageIO.read(Path.of(out + "-1.png").toFile());
        assertEquals(8, first.getWidth(), "the tiny bundle's image size");
        assertTrue(ImageAssertions.differ(first, second), "two images of one prompt use different noise");
        try (T2iModel model = T2iModel.load(bundle)) {
            GenerationResult expected = model.generate(GenerationRequest.builder("a red circle").seed(42).steps(20)
                    .cfgScale(4.0).imagesPerPrompt(2).build());
            ImageAssertions.assertSamePixels(expected.image(0), first, "first image");
            ImageAssertions.assertSamePixels(expected.image(1), second, "second image");
        }
    }
}
