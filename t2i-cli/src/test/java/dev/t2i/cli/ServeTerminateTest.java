package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.api.TinyBundles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -TERM} on a running {@code t2i serve} drains it: the request in flight is answered
 * (503, since it cannot finish within the drain), and the process exits within seconds.
 */
class ServeTerminateTest {
    @Test
    void termDrainsTheServerAndEveryClientIsAnswered(@TempDir Path dir) throws Exception {
        Path bundle = TinyBundles.bundle(dir, 62);
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--model", bundle.toString(),
                "--port", "0", "--max-steps", "1000", "--max-n", "32", "--max-work", "32000", "--drain", "0.5");
        Path logFile = dir.resolve("log.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        String log = "";
        try {
            Pattern listening = Pattern.compile("on http://[^:\\s]+:(\\d+)");
            Matcher m;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!(m = listening.matcher(log)).find() && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                log = Files.readString(logFile, StandardCharsets.UTF_8);
            }
            assertTrue(p.isAlive(), "the server did not start: " + log);
            URI generate = URI.create("http://127.0.0.1:" + m.group(1) + "/v1/generate");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            // 32 x 1000 steps (4.7 s on an idle 2-core machine) against a drain of 0.5 s: the request
            // is still running when the drain ends however fast the machine (the default 5 s was not)
            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(generate)
                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"long\", \"steps\": 1000, \"n\": 32}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(1000);
            assertTrue(!inFlight.isDone(), "the request ended before the signal: " + inFlight.getNow(null));
            long t0 = System.nanoTime();
            p.destroy();
            HttpResponse<String> answer = inFlight.get(30, TimeUnit.SECONDS);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running 30 s after the signal");
            double secs = (System.nanoTime() - t0) / 1e9;
            log = Files.readString(logFile, StandardCharsets.UTF_8);
            System.out.printf("serve stopped %.1f s after TERM: %s%n", secs,
                    log.lines().filter(l -> l.startsWith("stopped")).findFirst().orElse("?"));
            assertEquals(503, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("shutting down"), answer.body());
            assertTrue(log.contains("1 request(s) cancelled, every client answered"), log);
        } finally {
            p.destroyForcibly();
        }
    }
}
