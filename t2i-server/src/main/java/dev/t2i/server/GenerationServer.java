package dev.t2i.server;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.t2i.api.TextToImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP front end for a {@link TextToImage}, on the JDK's built-in server:
 * {@code POST /v1/generate}, the job resource {@code /v1/jobs} (progress, cancel), OpenAI's
 * {@code POST /v1/images/generations} and {@code GET /v1/models}, {@code GET /health}, and at
 * {@code GET /} a page that drives them from a browser; every response carries
 * {@link SecurityHeaders}. Binds
 * to loopback unless told otherwise. Overload is bounded by the model's request queue: a full
 * queue is answered with 503. A generation is cancelled when its client hangs up or its deadline
 * passes; {@link #drain} stops the server with every client answered.
 * Closing the server does not close the model.
 */
public final class GenerationServer implements AutoCloseable {
    /** How long {@link #close()} lets requests in flight finish before cancelling them. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    private final HttpServer http;
    private final ExecutorService handlers;
    private final InFlight inFlight;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private GenerationServer(HttpServer http, ExecutorService handlers, InFlight inFlight) {
        this.http = http;
        this.handlers = handlers;
        this.inFlight = inFlight;
    }

    /**
     * Binds and starts serving.
     *
     * @throws IOException when the address cannot be bound (port in use, unknown host)
     */
    public static GenerationServer start(TextToImage model, ServerOptions options) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        ExecutorService handlers = Executors.newFixedThreadPool(options.handlerThreads(), daemonThreads());
        http.setExecutor(handlers);
        InFlight inFlight = new InFlight(options);
        http.createContext("/v1/generate", open(inFlight, exactly("/v1/generate",
                new GenerateHandler(model, options, inFlight, handlers))));
        http.createContext("/health", open(inFlight, exactly("/health", new HealthHandler(model, options))));
        http.createContext(JobsHandler.PREFIX, open(inFlight, under(JobsHandler.PREFIX,
                new JobsHandler(model, options, inFlight))));
        http.createContext(OpenAiImagesHandler.PATH, open(inFlight, exactly(OpenAiImagesHandler.PATH,
                new OpenAiImagesHandler(model, options, inFlight, handlers))));
        http.createContext("/v1/models", open(inFlight, exactly("/v1/models", ex -> models(ex, model))));
        http.createContext("/", open(inFlight, new PageHandler(GenerationServer::notFound)));
        http.start();
        return new GenerationServer(http, handlers, inFlight);
    }

    /**
     * Every response carries the {@link SecurityHeaders}.
     * While the server drains, every new request, {@code /health} included, is answered 503 with
     * {@code Connection: close}, so that clients and load balancers go elsewhere at once.
     */
    private static HttpHandler open(InFlight inFlight, HttpHandler handler) {
        return ex -> {
            SecurityHeaders.apply(ex.getResponseHeaders());
            if (!inFlight.draining()) {
                handler.handle(ex);
                return;
            }
            ex.getResponseHeaders().set("Retry-After", "1");
            ex.getResponseHeaders().set("Connection", "close");
            String message = "the server is shutting down; send the request again later";
            if (ex.getRequestURI().getPath().equals(OpenAiImagesHandler.PATH)) {
                OpenAiImagesHandler.error(ex, 503, message, null);
            } else {
                Exchanges.error(ex, 503, message);
            }
        };
    }

    /**
     * The JDK server has no read timeout unless these are set before its first use: a client that
     * sends half a request then goes quiet is disconnected after 30 s, so stalled connections free
     * their threads. Its response limit counts from the moment the request was read, queue and
     * generation included, so it must outlast the request timeout: at 60 s against a 120-s
     * timeout, a soak's slowest generations (61 s) had their connections closed with no answer
     * at all instead of their images or a 504. Values the user set win; the JDK reads them once.
     *
     * <p>These are process-wide system properties, so a server never sets them itself: {@code t2i
     * serve} calls this at start, and an application that embeds the server and wants the same
     * protection calls it before its first {@code GenerationServer} (or any JDK HTTP server).
     */
    public static void limitSlowClients(ServerOptions options) {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "30");
        }
        if (System.getProperty("sun.net.httpserver.maxRspTime") == null) {
            System.setProperty("sun.net.httpserver.maxRspTime", Integer.toString(options.requestTimeoutSeconds() + 30));
        }
    }

    /**
     * The JDK server matches contexts by string prefix, so {@code /v1/generateXYZ} and
     * {@code /healthz} would reach these handlers: only the path itself may.
     */
    private static HttpHandler exactly(String path, HttpHandler handler) {
        return ex -> {
            if (ex.getRequestURI().getPath().equals(path)) {
                handler.handle(ex);
            } else {
                notFound(ex);
            }
        };
    }

    /** The path itself or anything below it ({@code /v1/jobs/ID}), not a longer name. */
    private static HttpHandler under(String prefix, HttpHandler handler) {
        return ex -> {
            String p = ex.getRequestURI().getPath();
            if (p.equals(prefix) || p.startsWith(prefix + "/")) {
                handler.handle(ex);
            } else {
                notFound(ex);
            }
        };
    }

    private static void notFound(com.sun.net.httpserver.HttpExchange ex) {
        Exchanges.error(ex, 404, "no such endpoint " + ex.getRequestURI().getPath()
                + " (use POST /v1/generate, /v1/jobs, /v1/images/generations, GET /health or the page at /)");
    }

    /** {@code GET /v1/models} as OpenAI's API answers it: one entry, the loaded model. */
    private static void models(com.sun.net.httpserver.HttpExchange ex, TextToImage model) {
        var body = Exchanges.JSON.createObjectNode().put("object", "list");
        String path = model.info().path();
        String id = path == null ? "t2i" : dev.t2i.api.ModelIdentity.nameOf(java.nio.file.Path.of(path));
        body.putArray("data").addObject().put("id", id).put("object", "model").put("created", 0)
                .put("owned_by", "t2i");
        Exchanges.json(ex, 200, body);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "t2i-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The bound address (with the actual port when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The bound port. */
    public int port() {
        return http.getAddress().getPort();
    }

    /**
     * Stops the server with every client answered: new requests are answered 503 at once, those
     * in flight get {@code grace} to finish, the rest are cancelled and answered 503 (the model
     * stops their batch within a step); then the server stops listening and closes its connections.
     *
     * @return the number of generations cancelled because they could not finish in time
     */
    public int drain(Duration grace) {
        if (!stopped.compareAndSet(false, true)) {
            return 0;
        }
        int cancelled = inFlight.drain(grace.toMillis());
        http.stop(0);
        inFlight.close();
        handlers.shutdown();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return cancelled;
    }

    /** {@link #drain} with a second of grace. */
    @Override
    public void close() {
        drain(CLOSE_GRACE);
    }
}
