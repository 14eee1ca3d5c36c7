package dev.t2i.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.BatchingOptions;
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
                long t0 = System.nanoTime();
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                        .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
                double secs = (System.nanoTime() - t0) / 1e9;
                assertEquals(200, health.statusCode());
                assertTrue(secs < 1, "health took " + secs + " s");
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
        try (T2iModel model = T2iModel.load(TinyBundles.bundle(dir, 46), new BatchingOptions(16, 4));
                GenerationServer server = GenerationServer.start(model, options)) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            URI generate = URI.create("http://127.0.0.1:" + server.port() + "/v1/generate");
            long t0 = System.nanoTime();
            HttpResponse<String> slow = client.send(HttpRequest.newBuilder(generate).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"x\", \"steps\": 1000, \"n\": 4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            double secs = (System.nanoTime() - t0) / 1e9;
            assertEquals(504, slow.statusCode(), slow.body());
            assertTrue(slow.body().contains("ran past the server's limit of 1 s"), slow.body());
            assertTrue(secs < 5, "answered after " + secs + " s");
            HttpResponse<byte[]> next = client.send(HttpRequest.newBuilder(generate).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"x\", \"steps\": 2}")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, next.statusCode());
        }
    }
}
