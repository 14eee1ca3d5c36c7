package dev.t2i.server;

/**
 * Where the HTTP server listens and what it accepts.
 *
 * @param host           address to bind; {@code 127.0.0.1} keeps it private to this machine
 * @param port           TCP port; 0 picks a free one
 * @param maxBodyBytes   largest request body accepted (413 above)
 * @param maxSteps       most integration steps a request may ask for (400 above)
 * @param maxImages      most images ({@code n}) a request may ask for (400 above)
 * @param requestTimeoutSeconds a request still generating after this long is stopped (504), so an
 *                       abandoned request cannot hold the queue (120)
 * @param handlerThreads threads that parse requests and write responses (generation runs on the
 *                       model's own worker)
 * @param maxImageSteps  most images times steps one request may ask for (400 above): the work of
 *                       one request, which the step and image limits alone bound only by their product
 */
public record ServerOptions(String host, int port, int maxBodyBytes, int maxSteps, int maxImages, int handlerThreads,
        int requestTimeoutSeconds, int maxImageSteps) {
    /** Loopback, port 8080, 64 KiB bodies, 200 steps, 8 images, 64 handler threads, 120 s, 400 image-steps. */
    public static ServerOptions defaults() {
        // threads are cheap while they wait: 64 keep a handful of slow or stalled clients from
        // occupying every thread (with 4, four of them locked the server, /health included);
        // generation itself is bounded by the model's queue, not by these threads
        return new ServerOptions("127.0.0.1", 8080, 64 * 1024, 200, 8, 64, 120, 400);
    }

    /** Options whose work limit is the product of the step and image limits (no further bound). */
    public ServerOptions(String host, int port, int maxBodyBytes, int maxSteps, int maxImages, int handlerThreads,
            int requestTimeoutSeconds) {
        this(host, port, maxBodyBytes, maxSteps, maxImages, handlerThreads, requestTimeoutSeconds,
                (int) Math.min(Integer.MAX_VALUE, (long) maxSteps * maxImages));
    }

    /** Largest body limit accepted: beyond it a single request could hold the server's memory. */
    public static final int MAX_BODY_LIMIT = 64 << 20;

    /** Checks every limit, naming the bad one. */
    public ServerOptions {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty (use 127.0.0.1 or 0.0.0.0)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (maxBodyBytes < 64 || maxBodyBytes > MAX_BODY_LIMIT) {
            throw new IllegalArgumentException("the body limit must be between 64 bytes and " + MAX_BODY_LIMIT
                    + " (64 MiB), got " + maxBodyBytes);
        }
        if (requestTimeoutSeconds < 1) {
            throw new IllegalArgumentException("the request timeout must be at least 1 second, got "
                    + requestTimeoutSeconds);
        }
        if (maxSteps < 1 || maxImages < 1 || handlerThreads < 1 || maxImageSteps < 1) {
            throw new IllegalArgumentException("step, image, work and thread limits must be at least 1");
        }
    }
}
