package dev.t2i.server;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.api.BatchingOptions;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TextToImage;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP endpoint through a real client over 127.0.0.1. */
class GenerationServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServerOptions LIMITS = new ServerOptions("127.0.0.1", 0, 1024, 200, 4, 4, 120);

    @TempDir
    static Path dir;
    static T2iModel model;
    static CountingModel counting;
    static GenerationServer server;
    static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        model = T2iModel.load(TinyBundles.bundle(dir, 44), new BatchingOptions(16, 1));
        counting = new CountingModel(model);
        server = GenerationServer.start(counting, LIMITS);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpRequest post(String body) {
        return HttpRequest.newBuilder(uri("/v1/generate")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpResponse<byte[]> send(HttpRequest r) throws IOException, InterruptedException {
        return client.send(r, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void bindsToLoopbackByDefault() {
        assertEquals("127.0.0.1", ServerOptions.defaults().host());
        assertTrue(server.address().getAddress().isLoopbackAddress());
    }

    @Test
    void oneImageComesBackAsThePngTheApiGives() throws Exception {
        HttpResponse<byte[]> r = send(post("{\"prompt\": \"a red circle\", \"seed\": 5, \"steps\": 4, \"cfg\": 3.0,"
                + " \"sampler\": \"euler\", \"negative_prompt\": \"blurry\"}"));
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("5", r.headers().firstValue("X-T2i-Seed").orElse(""));
        GenerationResult api = model.generate(GenerationRequest.builder("a red circle").seed(5).steps(4).cfgScale(3.0)
                .sampler("euler").negativePrompt("blurry").build());
        assertArrayEquals(api.png(0), r.body(), "same PNG bytes as the API");
    }

    @Test
    void aGuidanceIntervalInTheBodyGivesTheApisImage() throws Exception {
        HttpResponse<byte[]> r = send(post("{\"prompt\": \"a red circle\", \"seed\": 5, \"steps\": 4, \"cfg\": 3.0,"
                + " \"cfg_interval\": [0.3, 0.8]}"));
        assertEquals(200, r.statusCode(), new String(r.body()));
        GenerationResult api = model.generate(GenerationRequest.builder("a red circle").seed(5).steps(4).cfgScale(3.0)
                .cfgInterval(0.3, 0.8).build());
        assertArrayEquals(api.png(0), r.body(), "same PNG bytes as the API, the interval recorded inside");
    }

    @Test
    void severalImagesComeBackAsJsonWithTheirSeeds() throws Exception {
        HttpResponse<byte[]> r = send(post("{\"prompt\": \"a blue square\", \"seed\": 8, \"n\": 3}"));
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(3, body.get("images").size());
        assertEquals("[8,9,10]", body.get("seeds").toString());
        assertEquals("[0.0,1.0]", body.get("cfg_interval").toString(), "the model's default: every step");
        GenerationResult api = model.generate(GenerationRequest.builder("a blue square").seed(8).imagesPerPrompt(3)
                .build());
        for (int i = 0; i < 3; i++) {
            byte[] png = Base64.getDecoder().decode(body.get("images").get(i).asText());
            assertSamePixels(api.image(i), ImageIO.read(new ByteArrayInputStream(png)), "image " + i);
        }
    }

    @Test
    void healthDescribesTheModelAndTheLimits() throws Exception {
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(uri("/health")).GET().build());
        assertEquals(200, r.statusCode());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("ok", body.get("status").asText());
        assertEquals(8, body.get("model").get("image_size").asInt());
        assertEquals(4, body.get("model").get("default_steps").asInt());
        assertEquals(1.0, body.get("model").get("default_guide_scale").asDouble(), "no autoguidance");
        assertEquals(false, body.get("model").get("guide_model").asBoolean());
        // a CLIP read from a file counts as trained; its run recorded no captions
        assertEquals(false, body.get("model").get("untrained_text_encoder").asBoolean());
        assertEquals(0, body.get("model").get("training_captions").size());
        assertEquals(200, body.get("limits").get("max_steps").asInt());
    }

    @Test
    void badRequestsGetAStatusAndAOneLineJsonMessage() throws Exception {
        assertError(send(post("{\"prompt\": \"a red")), 400, "malformed JSON");
        assertError(send(post("[1, 2]")), 400, "JSON object");
        assertError(send(post("")), 400, "JSON object");
        assertError(send(post("{\"seed\": 1}")), 400, "'prompt' must be given");
        assertError(send(post("{\"prompt\": \"x\", \"steps\": 500}")), 400, "steps must be at most 200");
        assertError(send(post("{\"prompt\": \"x\", \"steps\": 0}")), 400, "steps must be between 1");
        assertError(send(post("{\"prompt\": \"x\", \"steps\": \"many\"}")), 400, "'steps' must be a whole number");
        assertError(send(post("{\"prompt\": \"x\", \"n\": 5}")), 400, "n must be at most 4");
        assertError(send(post("{\"prompt\": \"x\", \"cfg\": 99}")), 400, "cfg scale must be between");
        assertError(send(post("{\"prompt\": \"x\", \"sampler\": \"ddim\"}")), 400, "euler or heun");
        assertError(send(post("{\"prompt\": \"x\", \"cfg_interval\": [0.9, 0.2]}")), 400, "0 <= from <= to <= 1");
        assertError(send(post("{\"prompt\": \"x\", \"cfg_interval\": \"0.2,0.8\"}")), 400, "[0.2, 0.85]");
        assertError(send(post("{\"prompt\": \"x\", \"guide_scale\": 2}")), 400, "needs a guide model");
        assertError(send(post("{\"prompt\": \"x\", \"guide_scale\": 0.5}")), 400, "guide scale must be between 1");
        assertError(send(post("{\"prompt\": \"x\", \"guide_scale\": \"high\"}")), 400, "'guide_scale' must be a number");
        assertError(send(post("{\"prompt\": \"x\", \"stpes\": 4}")), 400, "unknown field 'stpes'");
        assertError(send(post("{\"prompt\": \"" + "x".repeat(2000) + "\"}")), 413, "larger than 1024 bytes");
        HttpResponse<byte[]> get = send(HttpRequest.newBuilder(uri("/v1/generate")).GET().build());
        assertError(get, 405, "use POST");
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
        assertError(send(HttpRequest.newBuilder(uri("/v2/paint")).GET().build()), 404, "no such endpoint");
        // contexts match by prefix in the JDK server; longer names must not reach the handlers
        assertError(send(HttpRequest.newBuilder(uri("/healthz")).GET().build()), 404, "no such endpoint /healthz");
        assertError(send(HttpRequest.newBuilder(uri("/v1/generateXYZ")).POST(HttpRequest.BodyPublishers.ofString(
                "{\"prompt\": \"x\"}")).build()), 404, "no such endpoint /v1/generateXYZ");
        assertError(send(HttpRequest.newBuilder(uri("/v1/jobsX")).GET().build()), 404, "no such endpoint");
        // the server still works after all that
        assertEquals(200, send(post("{\"prompt\": \"x\", \"seed\": 1}")).statusCode());
    }

    private static void assertError(HttpResponse<byte[]> r, int status, String message) throws IOException {
        String text = new String(r.body());
        assertEquals(status, r.statusCode(), text);
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.get("error").asText().contains(message), text);
        assertTrue(!body.get("error").asText().contains("\n"), "one line: " + text);
    }

    @Test
    void aFullQueueIsAnswered503AndTheAcceptedRequestsStillComplete() throws Exception {
        // the model queues one request: one long request runs, one waits, the next is refused
        int before = counting.submitted.get();
        CompletableFuture<HttpResponse<byte[]>> running = client.sendAsync(post("{\"prompt\": \"long\", \"steps\": 200,"
                + " \"seed\": 1}"), HttpResponse.BodyHandlers.ofByteArray());
        // submitted and no longer queued: the worker has taken it, and 200 steps take seconds
        waitUntil(() -> counting.submitted.get() == before + 1 && model.queuedRequests() == 0);
        CompletableFuture<HttpResponse<byte[]>> waiting = client.sendAsync(post("{\"prompt\": \"waits\", \"seed\": 2}"),
                HttpResponse.BodyHandlers.ofByteArray());
        waitUntil(() -> model.queuedRequests() == 1);
        HttpResponse<byte[]> refused = send(post("{\"prompt\": \"refused\", \"seed\": 3}"));
        assertError(refused, 503, "busy");
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
        assertTrue(!running.isDone(), "the long request was still running; make it longer if this fails");
        assertEquals(200, running.get(60, TimeUnit.SECONDS).statusCode());
        assertEquals(200, waiting.get(60, TimeUnit.SECONDS).statusCode());
    }

    /** Passes everything to the model and counts submissions, to tell when a request has reached it. */
    private static final class CountingModel extends ForwardingModel {
        final AtomicInteger submitted = new AtomicInteger();

        CountingModel(TextToImage model) {
            super(model);
        }

        @Override
        public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
            CompletableFuture<GenerationResult> f = super.submit(request);
            submitted.incrementAndGet();
            return f;
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(2);
        }
    }
}
