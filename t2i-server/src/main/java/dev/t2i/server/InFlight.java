package dev.t2i.server;

import com.sun.net.httpserver.HttpExchange;
import dev.t2i.T2iException;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.ProgressListener;
import dev.t2i.api.TextToImage;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The server's generations that are not yet answered, and what may stop one: its deadline, its
 * client hanging up, or the server draining. Each is a {@link Ticket}; a handler answers from the
 * ticket's future and then calls {@link #answered}, so that a drain knows when every client has
 * its answer.
 */
final class InFlight implements AutoCloseable {
    /** Why a generation was cancelled, which decides its answer. */
    enum Stop {
        /** Past {@link ServerOptions#requestTimeoutSeconds()}: 504. */
        DEADLINE,
        /** The client closed its connection: no one is left to answer. */
        CLIENT_GONE,
        /** The server drained and the request could not finish in time: 503. */
        SHUTDOWN
    }

    /** One queued generation. */
    static final class Ticket {
        private final CompletableFuture<GenerationResult> future;
        private final ClientWatch.Connection connection;
        private volatile Stop stop;

        private Ticket(CompletableFuture<GenerationResult> future, ClientWatch.Connection connection) {
            this.future = future;
            this.connection = connection;
        }

        CompletableFuture<GenerationResult> future() {
            return future;
        }

        /** Why it was cancelled, or null when it was not cancelled by the server. */
        Stop stop() {
            return stop;
        }

        private void cancel(Stop why) {
            if (!future.isDone()) {
                stop = why;
                future.cancel(true);
            }
        }
    }

    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "t2i-request-deadlines");
        t.setDaemon(true);
        return t;
    });

    private final ServerOptions options;
    private final ClientWatch clients = new ClientWatch();
    private final Set<Ticket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    InFlight(ServerOptions options) {
        this.options = options;
    }

    /**
     * Queues a request, turning the model's refusals into HTTP errors (503 busy or closing, 400
     * invalid or too much work). The generation is cancelled at the server's deadline and, when
     * {@code client} is given, as soon as that client hangs up.
     */
    Ticket submit(TextToImage model, GenerationRequest request, ProgressListener listener, HttpExchange client) {
        checkWork(model, request);
        CompletableFuture<GenerationResult> future;
        ClientWatch.Connection connection = client == null ? null
                : ClientWatch.Connection.of(client.getLocalAddress(), client.getRemoteAddress());
        try {
            future = listener == null ? model.submit(request) : model.submit(request, listener);
        } catch (RejectedExecutionException e) {
            throw new HttpError(503, "the server is busy: " + e.getMessage());
        } catch (IllegalStateException e) {
            throw new HttpError(503, "the server is shutting down");
        } catch (IllegalArgumentException | T2iException e) {
            throw new HttpError(400, e.getMessage());
        }
        Ticket t = new Ticket(future, connection);
        open.add(t);
        if (draining) {
            // a drain that began after the handler looked: it may already have counted the open tickets
            t.cancel(Stop.SHUTDOWN);
        }
        var timer = DEADLINES.schedule(() -> t.cancel(Stop.DEADLINE), options.requestTimeoutSeconds(),
                TimeUnit.SECONDS);
        future.whenComplete((r, e) -> timer.cancel(false));
        if (connection != null) {
            clients.watch(connection, () -> t.cancel(Stop.CLIENT_GONE));
            future.whenComplete((r, e) -> clients.unwatch(connection));
        } else {
            // a job: nobody waits on a connection, so it is answered once it is done
            future.whenComplete((r, e) -> answered(t));
        }
        return t;
    }

    /**
     * Refuses a request whose images times steps exceed the server's limit: each limit alone still
     * lets one request ask for their product, which on a slow model is minutes of the only worker.
     */
    private void checkWork(TextToImage model, GenerationRequest request) {
        long steps = request.steps() != null ? request.steps() : model.info().defaultSteps();
        long work = steps * request.imageCount();
        if (work > options.maxImageSteps()) {
            throw new HttpError(400, "images times steps must be at most " + options.maxImageSteps()
                    + " on this server, got " + request.imageCount() + " x " + steps + " = " + work
                    + " (ask for fewer images or steps)");
        }
    }

    /** The handler has written its answer (or found no client to write to). */
    void answered(Ticket t) {
        synchronized (open) {
            open.remove(t);
            open.notifyAll();
        }
    }

    /** True once a drain began: new requests are answered 503. */
    boolean draining() {
        return draining;
    }

    /**
     * Stops taking requests, waits up to {@code graceMillis} for those in flight to be answered,
     * then cancels the rest (each answered 503) and waits up to 2 s more for those answers.
     *
     * @return the number of generations cancelled
     */
    int drain(long graceMillis) {
        draining = true;
        if (awaitAnswered(graceMillis)) {
            return 0;
        }
        int cancelled = 0;
        for (Ticket t : open) {
            if (!t.future.isDone()) {
                t.cancel(Stop.SHUTDOWN);
                cancelled++;
            }
        }
        awaitAnswered(2000);
        return cancelled;
    }

    private boolean awaitAnswered(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (open) {
            while (!open.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                try {
                    open.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return open.isEmpty();
                }
            }
            return true;
        }
    }

    /** The answer to a generation the server cancelled: status and message. */
    static HttpError stopped(Ticket t, ServerOptions options) {
        if (t.stop() == Stop.SHUTDOWN || t.stop() == null) {
            return new HttpError(503, "the server is shutting down and stopped this request; send it again later");
        }
        if (t.stop() == Stop.CLIENT_GONE) {
            return new HttpError(499, "the client closed the connection");
        }
        return new HttpError(504, "the request ran past the server's limit of " + options.requestTimeoutSeconds()
                + " s and was stopped; ask for fewer steps or images, or raise serve --request-timeout");
    }

    @Override
    public void close() {
        clients.close();
    }
}
