package example;

import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.T2iModel;
import java.nio.file.Files;
import java.nio.file.Path;

/** The README's example: generates two images of a prompt with a bundle (args: model.t2i out-prefix). */
public class GenerateExample {
    public static void main(String[] args) throws Exception {
        try (T2iModel model = T2iModel.load(Path.of(args[0]))) {
            GenerationRequest request = GenerationRequest.builder("a red circle")
                    .seed(42)
                    .steps(20)
                    .cfgScale(4.0)
                    .imagesPerPrompt(2)
                    .build();
            GenerationResult result = model.generate(request);
            for (int i = 0; i < result.size(); i++) {
                Files.write(Path.of(args[1] + "-" + i + ".png"), result.png(i));
            }
            System.out.printf("%d images, seed %d, %d ms%n", result.size(), result.seed(),
                    result.generationTime().toMillis());
        }
    }
}
