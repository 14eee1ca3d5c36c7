package dev.t2i.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.models.images.Image;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TinyBundles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's official Java client ({@code com.openai:openai-java}, test scope) against a running
 * t2i server, with nothing changed but its base URL: the images it returns decode, and equal the
 * Java API's.
 */
class OpenAiClientTest {
    @TempDir
    static Path dir;
    static T2iModel model;
    static GenerationServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        model = T2iModel.load(TinyBundles.bundle(dir, 46));
        server = GenerationServer.start(model, new ServerOptions("127.0.0.1", 0, 64 * 1024, 200, 4, 4, 120));
        client = OpenAIOkHttpClient.builder().apiKey("not-checked").baseUrl("http://127.0.0.1:" + server.port() + "/v1")
                .maxRetries(0).timeout(Duration.ofSeconds(120)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
        model.close();
    }

    @Test
    void theOfficialClientGetsDecodableImages() throws Exception {
        ImagesResponse response = client.images().generate(ImageGenerateParams.builder()
                .prompt("a red circle")
                .n(2)
                .size(ImageGenerateParams.Size.of("8x8"))
                .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON)
                .putAdditionalBodyProperty("seed", JsonValue.from(21))
                .putAdditionalBodyProperty("steps", JsonValue.from(3))
                .build());
        List<Image> data = response.data().orElseThrow();
        assertEquals(2, data.size());
        assertTrue(response.created() > 0);
        GenerationResult api = model.generate(GenerationRequest.builder("a red circle").seed(21).steps(3)
                .imagesPerPrompt(2).build());
        for (int i = 0; i < 2; i++) {
            byte[] png = Base64.getDecoder().decode(data.get(i).b64Json().orElseThrow());
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertEquals(8, image.getWidth());
            assertArrayEquals(api.png(i), png, "image " + i);
            assertEquals(21 + i, GenerationParameters.fromPng(png).seed());
        }
    }

    @Test
    void theOfficialClientReadsOurErrors() {
        BadRequestException e = assertThrows(BadRequestException.class, () -> client.images().generate(
                ImageGenerateParams.builder().prompt("a red circle").size(ImageGenerateParams.Size._1024X1024)
                        .build()));
        assertEquals(400, e.statusCode());
        assertEquals("size", e.param().orElse(null));
        assertEquals("invalid_request_error", e.type().orElse(null));
        assertTrue(e.getMessage().contains("8x8"), e.getMessage());
    }
}
