package dev.t2i.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.BatchingOptions;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TinyBundles;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients that send part of a request and go quiet must not lock the server. */
class SlowClientsTest {
    @Test
    void twelveStalledClientsDoNotDelayHealthOrAGoodRequest(@TempDir Path dir) throws Exception {
        ServerOptions d = ServerOptions.defaults();
        ServerOptions options = new ServerOptions("127.0.0.1", 0, d.maxBodyBytes(), d.maxSteps(), d.maxImages(),
                d.handlerThreads(), d.requestTimeoutSeconds());
        try (T2iModel model = T2iModel.load(TinyBundles.bundle(dir, 45), new BatchingOptions(16, 4));
                GenerationServer server = GenerationServer.start(model, options)) {
            String base = "http://127.0.0.1:" + server.port();
            List<Socket> stalled = new ArrayList<>();
            try {
                String[] kinds = {
                    "POST /v1/generate HTTP/1.1\r\nHost: x\r\n",                                  // half the headers
                    "POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{",     // a short body
                    "POST /v1/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n{", // a huge length
                    "POST /v1/generate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz", // a bad chunk
                };
                for (int i = 0; i < 12; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    OutputStream out = s.getOutputStream();
                    out.write(kinds[i % kinds.length].getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    stalled.add(s);
                }
                Thread.sleep(300);
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
                // a health check stuck behind the stalled clients would wait for their 30-s read
                // limit at least; 10 s tells the two apart however busy the machine
                long t0 = System.nanoTime();
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                System.out.printf("health answered in %.0f ms beside 12 stalled clients%n",
                        (System.nanoTime() - t0) / 1e6);
                assertEquals(200, health.statusCode());
                HttpResponse<byte[]> good = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/generate"))
                        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"x\", \"seed\": 1}")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, good.statusCode());
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aRequestPastItsDeadlineIsStoppedAnd504FreesTheQueue(@TempDir Path dir) throws Exception {
        ServerOptions d = ServerOptions.defaults();
        ServerOptions options = new ServerOptions("127.0.0.1", 0, d.maxBodyBytes(), 1000, d.maxImages(),
                d.handlerThreads(), 1);
        try (T2iModel model = T2iModel.load(TinyBundles.bundle(dir, 46), new BatchingOptions(16, 4))) {
            // what the server asked the model for; each of its 1000 steps takes at least 5 ms, so the
            // request outlasts its 1-s deadline on any machine
            List<CompletableFuture<GenerationResult>> submitted = new CopyOnWriteArrayList<>();
            ForwardingModel watched = new ForwardingModel(model) {
                @Override
                public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
                    CompletableFuture<GenerationResult> f = model.submit(request, p -> pause(5));
                    submitted.add(f);
                    return f;
                }
            };
            try (GenerationServer server = GenerationServer.start(watched, options)) {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                URI generate = URI.create("http://127.0.0.1:" + server.port() + "/v1/generate");
                HttpResponse<String> slow = client.send(HttpRequest.newBuilder(generate).timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                                "{\"prompt\": \"x\", \"steps\": 1000, \"n\": 4}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(504, slow.statusCode(), slow.body());
                assertTrue(slow.body().contains("ran past the server's limit of 1 s"), slow.body());
                assertEquals(1, submitted.size());
                assertTrue(submitted.get(0).isCancelled(), "the 504 cancelled the model's work");
                // the model drops a cancelled request within a step, so its queue empties and it
                // serves the next request (asked of the model directly: the server's 1-s deadline
                // would make a second request's success depend on the machine's load)
                for (int i = 0; model.queuedRequests() > 0; i++) {
                    assertTrue(i < 6000, "the queue empties after the cancel");
                    Thread.sleep(10);
                }
                assertEquals(1, model.generate(GenerationRequest.builder("y").steps(2).seed(1).build()).size());
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
