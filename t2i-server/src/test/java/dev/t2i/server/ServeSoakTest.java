package dev.t2i.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.api.BatchingOptions;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.ProgressListener;
import dev.t2i.api.T2iModel;
import dev.t2i.api.TextToImage;
import dev.t2i.api.TinyBundles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite's one-minute soak of a real {@link GenerationServer} (the ten-minute one, with the
 * server's memory, is {@code tools/soak_serve.py}): three clients generating in a loop (2-12 steps,
 * 1-3 images, one request in four on OpenAI's endpoint), one creating jobs and cancelling half of
 * them while it follows the others to their images, one dropping long requests mid-flight (closed,
 * or reset with SO_LINGER 0, sometimes before the body is complete), and {@code /health} every
 * second. Every request must be answered 200 (202 for a job, 404 for a preview not yet drawn) or
 * 503 with Retry-After, none may time out, and once the queue is idle the server's threads and
 * descriptors must be back where they were. Nothing here asserts on time or memory: those
 * depend on the machine and belong to the script.
 */
class ServeSoakTest {
    /**
     * Seconds of load in all, the first sixth of it a warm-up after which the baseline is taken;
     * {@code -Dt2i.soak.seconds=600} lengthens it (never shortens it).
     */
    static final int LOAD_SECONDS = Math.max(60, Integer.getInteger("t2i.soak.seconds", 60));
    /** A request not answered in this long is a hang (each takes milliseconds on the tiny model). */
    private static final int REQUEST_TIMEOUT_MS = 60_000;
    /** Threads and descriptors that may come and go without meaning a leak. */
    private static final int THREAD_MARGIN = 2;
    private static final int FD_MARGIN = 4;
    /** A dropped request asks for this many steps of 2 images; each step takes at least 2 ms (below). */
    private static final int LONG_STEPS = 1000;
    private static final String[] PROMPTS = {"a red circle", "a blue square", "a green triangle", "a yellow star"};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drops = new AtomicInteger();

    @Test
    void aServerUnderMixedLoadAnswersEveryRequestAndKeepsItsThreadsAndDescriptors() throws Exception {
        T2iModel model = T2iModel.load(TinyBundles.bundle(dir, 53), new BatchingOptions(16, 4));
        try {
            soak(model);
        } finally {
            model.close();
        }
    }

    private void soak(T2iModel model) throws Exception {
        long t0 = System.nanoTime();
        Fds fdsBefore = Fds.now();
        Set<String> threadsBefore = javaThreads();
        ServerOptions options = new ServerOptions("127.0.0.1", 0, 64 * 1024, LONG_STEPS, 8, 16, 120, 2 * LONG_STEPS);
        GenerationServer server = GenerationServer.start(new SlowLongRequests(model), options);
        Set<String> threadsWarm;
        Fds fdsWarm;
        Set<String> threadsAfter;
        Fds fdsAfter;
        int warmup = LOAD_SECONDS / 6;
        try {
            int port = server.port();
            // the warm-up fills the handler pool and whatever else is made once; the baseline follows it
            load(port, warmup, 1);
            phase(t0, "warm-up");
            idle(port, model);
            phase(t0, "idle");
            threadsWarm = javaThreads();
            fdsWarm = Fds.now();
            load(port, LOAD_SECONDS - warmup, 2);
            phase(t0, "load");
            idle(port, model);
            phase(t0, "idle");
            threadsAfter = settled(threadsWarm.size());
            fdsAfter = Fds.now();
            phase(t0, "measured");
        } finally {
            server.close();
        }
        phase(t0, "closed");
        Set<String> threadsClosed = settled(threadsBefore.size());
        Fds fdsClosed = Fds.now();
        phase(t0, "measured");

        System.out.printf(Locale.ROOT, "soak of %d s: %s; %d drops%n", LOAD_SECONDS, new TreeMap<>(answers), drops.get());
        System.out.printf(Locale.ROOT, "java threads: %d before the server, %d after the warm-up, %d after the load,"
                + " %d after close%n", threadsBefore.size(), threadsWarm.size(), threadsAfter.size(),
                threadsClosed.size());
        System.out.printf(Locale.ROOT, "descriptors: %s before the server, %s after the warm-up, %s after the load,"
                + " %s after close%n", fdsBefore, fdsWarm, fdsAfter, fdsClosed);

        assertTrue(failures.isEmpty(), failures.size() + " requests not answered as they should be, first: "
                + failures.stream().limit(10).collect(Collectors.joining("\n  ", "\n  ", "")));
        assertTrue(count("generate 200") + count("openai 200") > 0, "no generation succeeded: " + answers);
        assertTrue(count("job-delete 200") > 0 && count("job-image 200") > 0, "jobs were not exercised: " + answers);
        assertTrue(drops.get() > 0, "no request was dropped");

        assertTrue(threadsAfter.size() <= threadsWarm.size() + THREAD_MARGIN, "threads grew under load: "
                + threadsWarm.size() + " -> " + threadsAfter.size() + ", new: " + added(threadsWarm, threadsAfter));
        assertTrue(threadsClosed.size() <= threadsBefore.size() + THREAD_MARGIN, "threads left after close: "
                + threadsBefore.size() + " -> " + threadsClosed.size() + ", new: " + added(threadsBefore,
                threadsClosed));
        if (fdsBefore == null) {
            System.out.println("descriptors not checked: /proc/self/fd exists on Linux only");
            return;
        }
        // the JDK's server keeps the socket of a client that went away mid-request until its own
        // timers close it (30 s before the body was read, 60 s after: sun.net.httpserver.maxReqTime
        // and maxRspTime), so sockets are compared once the server is closed; everything else at idle
        assertTrue(fdsAfter.other <= fdsWarm.other + FD_MARGIN, "descriptors other than sockets grew under load: "
                + fdsWarm + " -> " + fdsAfter);
        assertTrue(fdsClosed.total() <= fdsBefore.total() + FD_MARGIN, "descriptors left after close: "
                + fdsBefore + " -> " + fdsClosed);
    }

    private static void phase(long t0, String what) {
        System.out.printf(Locale.ROOT, "%.1f s: %s%n", (System.nanoTime() - t0) / 1e9, what);
    }

    private int count(String key) {
        AtomicInteger n = answers.get(key);
        return n == null ? 0 : n.get();
    }

    /** Runs the six clients for {@code seconds} and waits for them all. */
    private void load(int port, int seconds, long seed) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        SplittableRandom seeds = new SplittableRandom(seed);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SplittableRandom rng = seeds.split();
            clients.add(client("soak-generate-" + i, () -> generating(port, deadline, rng)));
        }
        SplittableRandom jobs = seeds.split();
        clients.add(client("soak-jobs", () -> jobs(port, deadline, jobs)));
        SplittableRandom dropping = seeds.split();
        clients.add(client("soak-drops", () -> dropping(port, deadline, dropping)));
        clients.add(client("soak-health", () -> health(port, deadline)));
        for (Thread t : clients) {
            // each call is bounded by its timeout, so every client ends within one of the deadline
            t.join(TimeUnit.SECONDS.toMillis(seconds) + 3L * REQUEST_TIMEOUT_MS);
            assertTrue(!t.isAlive(), t.getName() + " still running long after the deadline");
        }
    }

    private interface Loop {
        void run() throws Exception;
    }

    private Thread client(String name, Loop loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (Exception | AssertionError e) {
                failures.add(name + " stopped: " + e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static boolean before(long deadline) {
        return System.nanoTime() - deadline < 0;
    }

    private static String generation(SplittableRandom rng) {
        return String.format(Locale.ROOT, "{\"prompt\": \"%s\", \"steps\": %d, \"n\": %d, \"seed\": %d}",
                PROMPTS[rng.nextInt(PROMPTS.length)], rng.nextInt(2, 13), rng.nextInt(1, 4), rng.nextInt(1 << 30));
    }

    private void generating(int port, long deadline, SplittableRandom rng) throws InterruptedException {
        while (before(deadline)) {
            boolean openAi = rng.nextInt(4) == 0;
            Answer a = call(port, "POST", openAi ? "/v1/images/generations" : "/v1/generate", generation(rng));
            judge(openAi ? "openai" : "generate", a, 200);
            if (a.status == 503) {
                Thread.sleep(200);
            }
        }
    }

    private void jobs(int port, long deadline, SplittableRandom rng) throws Exception {
        while (before(deadline)) {
            Answer created = call(port, "POST", "/v1/jobs", generation(rng));
            if (!judge("job-create", created, 202)) {
                Thread.sleep(200);
                continue;
            }
            String path = "/v1/jobs/" + JSON.readTree(created.body).get("id").asText();
            if (rng.nextBoolean()) {
                Thread.sleep(rng.nextInt(300));
                judge("job-delete", call(port, "DELETE", path, null), 200);
                continue;
            }
            long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_TIMEOUT_MS);
            while (true) {
                Answer got = call(port, "GET", path, null);
                if (!judge("job-get", got, 200)) {
                    break;
                }
                JsonNode job = JSON.readTree(got.body);
                String status = job.get("status").asText();
                if (status.equals("succeeded")) {
                    tally("job-result succeeded");
                    for (JsonNode url : job.get("image_urls")) {
                        Answer png = call(port, "GET", url.asText(), null);
                        if (judge("job-image", png, 200) && !new String(png.body, 0, Math.min(4, png.body.length),
                                StandardCharsets.ISO_8859_1).equals("\u0089PNG")) {
                            failures.add("job image is not a PNG: " + url.asText());
                        }
                    }
                    break;
                }
                if (!status.equals("queued") && !status.equals("running") || !before(giveUp)) {
                    failures.add("job " + path + " ended " + status + ": " + job);
                    call(port, "DELETE", path, null);
                    break;
                }
                judge("job-preview", call(port, "GET", path + "/preview", null), 200, 404);
                Thread.sleep(20);
            }
        }
    }

    /** A long request sent whole or in part, then closed or reset while the server works on it. */
    private void dropping(int port, long deadline, SplittableRandom rng) throws Exception {
        byte[] body = ("{\"prompt\": \"long, dropped\", \"steps\": " + LONG_STEPS + ", \"n\": 2}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /v1/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        while (before(deadline)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), REQUEST_TIMEOUT_MS);
                if (rng.nextBoolean()) {
                    s.setSoLinger(true, 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(head);
                out.write(body, 0, rng.nextInt(4) == 0 ? body.length / 2 : body.length);
                out.flush();
                Thread.sleep(rng.nextInt(50, 500));
            }
            drops.incrementAndGet();
            Thread.sleep(rng.nextInt(100, 500));
        }
    }

    private void health(int port, long deadline) throws InterruptedException {
        while (before(deadline)) {
            judge("health", call(port, "GET", "/health", null), 200);
            Thread.sleep(1000);
        }
    }

    /** Waits until nothing is queued and the worker has answered a request of its own. */
    private void idle(int port, T2iModel model) throws InterruptedException {
        for (int i = 0; i < 600 && model.queuedRequests() > 0; i++) {
            Thread.sleep(100);
        }
        judge("idle-probe", call(port, "POST", "/v1/generate", "{\"prompt\": \"a red circle\", \"steps\": 2}"), 200);
        // the handler that answered the probe returns to its pool a moment after the client has the answer
        Thread.sleep(500);
    }

    /** Counts an answer; returns whether it was one of {@code ok}. A 503 passes with Retry-After. */
    private boolean judge(String kind, Answer a, int... ok) {
        tally(kind + " " + a.status);
        if (Arrays.stream(ok).anyMatch(s -> s == a.status)) {
            return true;
        }
        if (a.status == 503 && a.headers.containsKey("retry-after")) {
            return false;
        }
        failures.add(kind + " answered " + a.status + (a.status == 503 ? " without Retry-After" : "") + ": "
                + new String(a.body, 0, Math.min(300, a.body.length), StandardCharsets.UTF_8));
        return false;
    }

    private void tally(String key) {
        answers.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    /** A status (or -1 for none: timeout, or the connection closed), lower-case headers and a body. */
    private record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    /** One request on its own connection ({@code Connection: close}), bounded by {@link #REQUEST_TIMEOUT_MS}. */
    private static Answer call(int port, String method, String path, String body) {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), REQUEST_TIMEOUT_MS);
            s.setSoTimeout(REQUEST_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n")
                    + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] all = in.readAllBytes();
            return parse(all);
        } catch (SocketTimeoutException e) {
            return new Answer(-1, Map.of(), ("timed out after " + REQUEST_TIMEOUT_MS + " ms: " + method + " " + path)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Answer(-1, Map.of(), ("no answer to " + method + " " + path + ": " + e)
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Status line, headers and body of an HTTP/1.1 response read to the connection's end. */
    private static Answer parse(byte[] all) {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            return new Answer(-1, Map.of(), ("not an HTTP response: " + text.substring(0, Math.min(100, text.length())))
                    .getBytes(StandardCharsets.UTF_8));
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        // the body ends with the connection; a chunked one is never sent to a fixed-length reply here
        byte[] body = Arrays.copyOfRange(all, end + 4, all.length);
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    /**
     * The live Java threads by name and id, without the common fork-join pool's workers: the JDK
     * starts and retires those on its own (up to one per core, idle ones after a minute).
     */
    private static Set<String> javaThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool-worker"))
                .map(t -> t.getName() + "#" + t.getId()).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The live threads once at most {@code limit} + {@link #THREAD_MARGIN}, or after 10 s: a thread
     * told to stop (a closed pool's, a timer's) ends a moment later, and a completion the model
     * hands to a thread of its own finishes just after its client has the answer.
     */
    private static Set<String> settled(int limit) throws InterruptedException {
        Set<String> now = javaThreads();
        for (int i = 0; i < 100 && now.size() > limit + THREAD_MARGIN; i++) {
            Thread.sleep(100);
            now = javaThreads();
        }
        return now;
    }

    private static Set<String> added(Set<String> before, Set<String> after) {
        Set<String> s = new TreeSet<>(after);
        s.removeAll(before);
        return s;
    }

    /** The process's open descriptors, sockets apart; null off Linux. */
    private record Fds(int sockets, int other) {
        int total() {
            return sockets + other;
        }

        @Override
        public String toString() {
            return total() + " (" + sockets + " sockets)";
        }

        /** The smallest of three readings a moment apart, so that a file opened for an instant is not counted. */
        static Fds now() throws InterruptedException {
            Path fd = Path.of("/proc/self/fd");
            if (!Files.isDirectory(fd)) {
                return null;
            }
            Fds least = null;
            for (int i = 0; i < 3; i++) {
                int sockets = 0;
                int other = 0;
                try (Stream<Path> entries = Files.list(fd)) {
                    for (Path p : entries.toList()) {
                        String target;
                        try {
                            target = Files.readSymbolicLink(p).toString();
                        } catch (IOException e) {
                            continue; // closed meanwhile, or the listing's own descriptor
                        }
                        if (target.startsWith("socket:")) {
                            sockets++;
                        } else {
                            other++;
                        }
                    }
                } catch (IOException e) {
                    return null;
                }
                // the listing's own descriptor is counted in every reading alike
                if (least == null || sockets + other < least.total()) {
                    least = new Fds(sockets, other);
                }
                Thread.sleep(50);
            }
            return least;
        }
    }

    /**
     * The model with dropped requests made slow: at least 2 ms a step, so that a dropped request
     * is still generating when its client leaves, whatever the machine's speed.
     */
    private static final class SlowLongRequests extends ForwardingModel {
        SlowLongRequests(TextToImage model) {
            super(model);
        }

        @Override
        public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
            return submit(request, null);
        }

        @Override
        public CompletableFuture<GenerationResult> submit(GenerationRequest request, ProgressListener listener) {
            if (!request.prompts().get(0).startsWith("long")) {
                return listener == null ? model.submit(request) : model.submit(request, listener);
            }
            return model.submit(request, p -> {
                if (listener != null) {
                    listener.onProgress(p);
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }
}
