package dev.t2i.server;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.api.BatchingOptions;
import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TinyBundles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job resource and the OpenAI-compatible endpoint over 127.0.0.1, with the wire format as documented. */
class JobsAndOpenAiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final ServerOptions LIMITS = new ServerOptions("127.0.0.1", 0, 64 * 1024, 1000, 4, 4, 120);

    @TempDir
    static Path dir;
    static T2iModel model;
    static GenerationServer server;
    static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        model = T2iModel.load(TinyBundles.bundle(dir, 45), BatchingOptions.defaults());
        server = GenerationServer.start(model, LIMITS);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static HttpResponse<byte[]> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private static JsonNode waitFor(String id, String... statuses) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode j = json(send("GET", "/v1/jobs/" + id, null));
            for (String s : statuses) {
                if (j.get("status").asText().equals(s)) {
                    return j;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " never reached " + String.join("/", statuses));
    }

    @Test
    void aJobReportsProgressAndServesImagesWithTheirParameters() throws Exception {
        HttpResponse<byte[]> created = send("POST", "/v1/jobs", "{\"prompt\": \"a red circle\", \"seed\": 12,"
                + " \"steps\": 6, \"n\": 2, \"cfg_interval\": [0.25, 0.75]}");
        assertEquals(202, created.statusCode(), new String(created.body()));
        JsonNode job = json(created);
        String id = job.get("id").asText();
        assertEquals("/v1/jobs/" + id, created.headers().firstValue("Location").orElse(""));
        JsonNode done = waitFor(id, "succeeded");
        assertEquals(6, done.get("step").asInt());
        assertEquals(6, done.get("total_steps").asInt());
        assertEquals("[12,13]", done.get("seeds").toString());
        assertEquals("[0.25,0.75]", done.get("cfg_interval").toString(), "the settings used travel with the job");
        assertEquals(6, done.get("steps").asInt());
        GenerationResult api = model.generate(GenerationRequest.builder("a red circle").seed(12).steps(6)
                .cfgInterval(0.25, 0.75).imagesPerPrompt(2).build());
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> png = send("GET", done.get("image_urls").get(i).asText(), null);
            assertEquals(200, png.statusCode());
            assertArrayEquals(api.png(i), png.body(), "image " + i + " with its parameters");
            assertEquals(12 + i, GenerationParameters.fromPng(png.body()).seed());
        }
        assertEquals(200, send("GET", "/v1/jobs/" + id + "/preview", null).statusCode());
        assertEquals(404, send("GET", "/v1/jobs/" + id + "/images/2", null).statusCode());
        assertEquals(200, send("DELETE", "/v1/jobs/" + id, null).statusCode());
        HttpResponse<byte[]> gone = send("GET", "/v1/jobs/" + id, null);
        assertEquals(404, gone.statusCode());
        assertTrue(json(gone).get("error").asText().contains("no job"));
    }

    @Test
    void deletingARunningJobCancelsItAndTheNextJobRuns() throws Exception {
        String id = json(send("POST", "/v1/jobs", "{\"prompt\": \"a red circle\", \"steps\": 1000}")).get("id").asText();
        JsonNode running = waitFor(id, "running");
        assertTrue(running.get("step").asInt() >= 1);
        long t0 = System.nanoTime();
        HttpResponse<byte[]> deleted = send("DELETE", "/v1/jobs/" + id, null);
        assertEquals(200, deleted.statusCode());
        JsonNode d = json(deleted);
        assertEquals("cancelled", d.get("status").asText());
        assertTrue(d.get("step").asInt() < 1000, "stopped early: " + d);
        // the model's worker is free again: a short job finishes
        String next = json(send("POST", "/v1/jobs", "{\"prompt\": \"a blue square\", \"steps\": 2}")).get("id").asText();
        waitFor(next, "succeeded");
        System.out.printf("job cancelled at step %d of 1000; the next 2-step job finished %.0f ms after the DELETE%n",
                d.get("step").asInt(), (System.nanoTime() - t0) / 1e6);
        assertEquals(404, send("DELETE", "/v1/jobs/" + id, null).statusCode());
    }

    @Test
    void imageToImageOverHttp() throws Exception {
        GenerationResult init = model.generate(GenerationRequest.builder("a yellow square").seed(3).build());
        String b64 = Base64.getEncoder().encodeToString(init.png(0));
        HttpResponse<byte[]> r = send("POST", "/v1/generate", "{\"prompt\": \"a red circle\", \"init_image\": \""
                + b64 + "\", \"strength\": 0}");
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertSamePixels(init.image(0), ImageIO.read(new ByteArrayInputStream(r.body())), "strength 0 over HTTP");
        HttpResponse<byte[]> bad = send("POST", "/v1/generate", "{\"prompt\": \"x\", \"strength\": 0.5}");
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad).get("error").asText().contains("initial image"));
    }

    @Test
    void openAiImagesGenerationsAnswersInThatApisShape() throws Exception {
        HttpResponse<byte[]> r = send("POST", "/v1/images/generations", "{\"model\": \"dall-e-2\", \"prompt\":"
                + " \"a red circle\", \"n\": 2, \"size\": \"8x8\", \"response_format\": \"b64_json\", \"seed\": 7,"
                + " \"steps\": 3, \"guidance_scale\": 2.0, \"guidance_interval\": [0.3, 0.8],"
                + " \"negative_prompt\": \"a blue square\"}");
        assertEquals(200, r.statusCode(), new String(r.body()));
        JsonNode body = json(r);
        assertTrue(body.get("created").asLong() > 1_600_000_000L);
        assertEquals(2, body.get("data").size());
        GenerationResult api = model.generate(GenerationRequest.builder("a red circle").seed(7).steps(3).cfgScale(2.0)
                .cfgInterval(0.3, 0.8).negativePrompt("a blue square").imagesPerPrompt(2).build());
        for (int i = 0; i < 2; i++) {
            byte[] png = Base64.getDecoder().decode(body.get("data").get(i).get("b64_json").asText());
            assertArrayEquals(api.png(i), png, "image " + i);
            assertEquals(7 + i, body.get("data").get(i).get("seed").asLong());
        }
    }

    @Test
    void openAiErrorsComeInThatApisErrorShape() throws Exception {
        assertOpenAiError(send("POST", "/v1/images/generations", "{\"prompt\": \"x\", \"size\": \"1024x1024\"}"),
                400, "size", "8x8");
        assertOpenAiError(send("POST", "/v1/images/generations", "{\"prompt\": \"x\", \"response_format\": \"url\"}"),
                400, "response_format", "b64_json");
        assertOpenAiError(send("POST", "/v1/images/generations", "{\"prompt\": \"x\", \"guidance_interval\": [0.9, 0.1]}"),
                400, "guidance_interval", "0 <= from <= to <= 1");
        assertOpenAiError(send("POST", "/v1/images/generations", "{\"prompt\": \"x\", \"n\": 9}"), 400, "n", "at most");
        assertOpenAiError(send("POST", "/v1/images/generations", "{\"n\": 1}"), 400, "prompt", "required");
        assertOpenAiError(send("POST", "/v1/images/generations", "{\"prompt\": \"x\", \"colour\": 1}"), 400, "colour",
                "unknown");
        assertOpenAiError(send("POST", "/v1/images/generations", "{not json"), 400, null, "malformed");
        assertOpenAiError(send("GET", "/v1/images/generations", null), 405, null, "POST");
        JsonNode models = json(send("GET", "/v1/models", null));
        assertEquals("tiny", models.get("data").get(0).get("id").asText());
    }

    private static void assertOpenAiError(HttpResponse<byte[]> r, int status, String param, String text)
            throws IOException {
        assertEquals(status, r.statusCode(), new String(r.body()));
        JsonNode e = json(r).get("error");
        assertTrue(e.get("message").asText().contains(text), e.toString());
        assertEquals("invalid_request_error", e.get("type").asText());
        assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText());
        assertTrue(e.has("code"));
    }
}
