package dev.t2i.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.t2i.T2iException;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.TextToImage;
import java.io.IOException;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@code POST /v1/generate}: one image comes back as {@code image/png} (seed in the
 * {@code X-T2i-Seed} header), several as JSON {@code {"images": [base64 PNG...], "seeds": [...]}}.
 * The handler only parses and queues; the response is written when the model's future
 * completes, so a full queue is answered with 503 at once instead of tying up a thread.
 */
final class GenerateHandler implements HttpHandler {
    private final TextToImage model;
    private final ServerOptions options;
    private final InFlight inFlight;
    private final Executor responder;

    GenerateHandler(TextToImage model, ServerOptions options, InFlight inFlight, Executor responder) {
        this.model = model;
        this.options = options;
        this.inFlight = inFlight;
        this.responder = responder;
    }

    @Override
    public void handle(HttpExchange ex) {
        InFlight.Ticket ticket;
        try {
            if (!ex.getRequestMethod().equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                throw new HttpError(405, "use POST with a JSON body for /v1/generate, not " + ex.getRequestMethod());
            }
            GenerationRequest request = GenerateJson.parse(Exchanges.body(ex, options.maxBodyBytes()), options);
            ticket = inFlight.submit(model, request, null, ex);
        } catch (HttpError e) {
            if (e.status() == 503) {
                ex.getResponseHeaders().set("Retry-After", "1");
            }
            Exchanges.error(ex, e.status(), e.getMessage());
            return;
        } catch (IOException e) {
            Exchanges.error(ex, 400, "cannot read the request: " + e.getMessage());
            return;
        } catch (RuntimeException e) {
            Exchanges.error(ex, 500, ServerErrors.logged(ex, "cannot handle the request", e));
            return;
        }
        ticket.future().whenCompleteAsync((result, failure) -> {
            try {
                respond(ex, ticket, result, failure);
            } finally {
                inFlight.answered(ticket);
            }
        }, responder);
    }

    private void respond(HttpExchange ex, InFlight.Ticket ticket, GenerationResult result, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof IllegalArgumentException || cause instanceof T2iException) {
                Exchanges.error(ex, 400, cause.getMessage());
            } else if (cause instanceof java.util.concurrent.CancellationException) {
                // before IllegalStateException, which it extends: stopped by its deadline, its
                // client hanging up or a drain
                HttpError stopped = InFlight.stopped(ticket, options);
                if (stopped.status() == 503) {
                    ex.getResponseHeaders().set("Retry-After", "1");
                }
                Exchanges.error(ex, stopped.status(), stopped.getMessage());
            } else if (cause instanceof IllegalStateException) {
                ex.getResponseHeaders().set("Retry-After", "1");
                Exchanges.error(ex, 503, "the server is shutting down");
            } else {
                Exchanges.error(ex, 500, ServerErrors.logged(ex, "generation failed", cause));
            }
            return;
        }
        try {
            var headers = ex.getResponseHeaders();
            headers.set("X-T2i-Seed", Long.toString(result.seed()));
            headers.set("X-T2i-Generation-Ms", Long.toString(result.generationTime().toMillis()));
            headers.set("X-T2i-Queue-Ms", Long.toString(result.queueTime().toMillis()));
            if (result.size() == 1) {
                Exchanges.send(ex, 200, "image/png", result.png(0));
                return;
            }
            ObjectNode body = Exchanges.JSON.createObjectNode();
            ArrayNode images = body.putArray("images");
            for (byte[] png : result.pngs()) {
                images.add(Base64.getEncoder().encodeToString(png));
            }
            ArrayNode seeds = body.putArray("seeds");
            result.seeds().forEach(seeds::add);
            body.put("steps", result.steps()).put("cfg", result.cfgScale())
                    .putPOJO("cfg_interval", result.cfgInterval().times())
                    .put("sampler", result.sampler().id())
                    .put("generation_ms", result.generationTime().toMillis())
                    .put("queue_ms", result.queueTime().toMillis());
            Exchanges.json(ex, 200, body);
        } catch (RuntimeException e) {
            Exchanges.error(ex, 500, ServerErrors.logged(ex, "cannot encode the images", e));
        }
    }
}
