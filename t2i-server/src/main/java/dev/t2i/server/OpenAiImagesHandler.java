package dev.t2i.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@code POST /v1/images/generations} as OpenAI's Images API defines it, so that OpenAI client
 * libraries and tools work against a t2i server with only their base URL changed: {@code prompt},
 * {@code n}, {@code size} (the model's own, e.g. {@code "16x16"}, or {@code "auto"}),
 * {@code response_format} ({@code b64_json} only: t2i keeps no files to link to), {@code model}
 * and OpenAI's other optional fields accepted and ignored, plus t2i's {@code seed}, {@code steps},
 * {@code guidance_scale}, {@code negative_prompt}, {@code sampler}. The answer is
 * {@code {"created": …, "data": [{"b64_json": …, "revised_prompt": …, "seed": …}]}}; errors come in
 * that API's shape, {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class OpenAiImagesHandler implements HttpHandler {
    static final String PATH = "/v1/images/generations";
    /** OpenAI's fields that t2i accepts and ignores (they choose among OpenAI's own models and styles). */
    static final List<String> IGNORED = List.of("model", "quality", "style", "user", "background", "moderation",
            "output_compression", "partial_images", "stream");
    /** The fields t2i reads. */
    static final List<String> FIELDS = List.of("prompt", "n", "size", "response_format", "output_format", "seed",
            "steps", "guidance_scale", "guidance_interval", "negative_prompt", "sampler");

    private final TextToImage model;
    private final ServerOptions options;
    private final InFlight inFlight;
    private final Executor responder;

    OpenAiImagesHandler(TextToImage model, ServerOptions options, InFlight inFlight, Executor responder) {
        this.model = model;
        this.options = options;
        this.inFlight = inFlight;
        this.responder = responder;
    }

    /** An error of that API: status, message and the parameter at fault (or null). */
    static final class ApiError extends RuntimeException {
        final int status;
        final String param;

        ApiError(int status, String message, String param) {
            super(message, null, false, false);
            this.status = status;
            this.param = param;
        }
    }

    /**
     * Answers in that API's error shape; the type is {@code server_error} for 5xx, else
     * {@code invalid_request_error}.
     */
    static void error(HttpExchange ex, int status, String message, String param) {
        ObjectNode body = Exchanges.JSON.createObjectNode();
        ObjectNode e = body.putObject("error");
        e.put("message", message);
        e.put("type", status >= 500 ? "server_error" : "invalid_request_error");
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        e.put("code", code(status));
        Exchanges.json(ex, status, body);
    }

    private static String code(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "request_too_large";
            case 503 -> "server_busy";
            case 500 -> "server_error";
            default -> "invalid_value";
        };
    }

    @Override
    public void handle(HttpExchange ex) {
        InFlight.Ticket ticket;
        String prompt;
        try {
            if (!ex.getRequestMethod().equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                throw new ApiError(405, "use POST with a JSON body for " + PATH + ", not " + ex.getRequestMethod(),
                        null);
            }
            byte[] body;
            try {
                body = Exchanges.body(ex, options.maxBodyBytes());
            } catch (HttpError e) {
                throw new ApiError(e.status(), e.getMessage(), null);
            }
            GenerationRequest request = parse(body);
            prompt = request.prompts().get(0);
            try {
                ticket = inFlight.submit(model, request, null, ex);
            } catch (HttpError e) {
                throw new ApiError(e.status(), e.getMessage(), null);
            }
        } catch (ApiError e) {
            if (e.status == 503) {
                ex.getResponseHeaders().set("Retry-After", "1");
            }
            error(ex, e.status, e.getMessage(), e.param);
            return;
        } catch (IOException e) {
            error(ex, 400, "cannot read the request: " + e.getMessage(), null);
            return;
        } catch (RuntimeException e) {
            error(ex, 500, ServerErrors.logged(ex, "cannot handle the request", e), null);
            return;
        }
        ticket.future().whenCompleteAsync((result, failure) -> {
            try {
                respond(ex, ticket, prompt, result, failure);
            } finally {
                inFlight.answered(ticket);
            }
        }, responder);
    }

    /** Parses and checks a body, naming the parameter at fault. */
    GenerationRequest parse(byte[] bytes) {
        JsonNode root;
        try {
            root = Exchanges.JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new ApiError(400, "malformed JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""), null);
        } catch (IOException e) {
            throw new ApiError(400, "cannot read the body: " + e.getMessage(), null);
        }
        if (root == null || !root.isObject()) {
            throw new ApiError(400, "the body must be a JSON object such as {\"prompt\": \"a red circle\"}", null);
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f) && !IGNORED.contains(f)) {
                throw new ApiError(400, "unknown parameter '" + f + "' (known: " + String.join(", ", FIELDS) + ")", f);
            }
        }
        String param = "prompt";
        try {
            String prompt = GenerateJson.textField(root, "prompt");
            if (prompt == null) {
                throw new ApiError(400, "'prompt' is required", "prompt");
            }
            GenerationRequest.Builder b = GenerationRequest.builder(prompt);
            param = "n";
            Integer n = GenerateJson.intField(root, "n");
            if (n != null) {
                if (n > options.maxImages()) {
                    throw new ApiError(400, "n must be at most " + options.maxImages() + " on this server, got " + n,
                            "n");
                }
                b.imagesPerPrompt(n);
            }
            param = "size";
            checkSize(GenerateJson.textField(root, "size"));
            param = "response_format";
            String format = GenerateJson.textField(root, "response_format");
            if (format != null && !format.equals("b64_json")) {
                throw new ApiError(400, "response_format '" + format + "' is not supported: this server keeps no"
                        + " files to link to (use b64_json)", "response_format");
            }
            param = "output_format";
            String output = GenerateJson.textField(root, "output_format");
            if (output != null && !output.equals("png")) {
                throw new ApiError(400, "output_format '" + output + "' is not supported (use png)", "output_format");
            }
            param = "steps";
            Integer steps = GenerateJson.intField(root, "steps");
            if (steps != null) {
                if (steps > options.maxSteps()) {
                    throw new ApiError(400, "steps must be at most " + options.maxSteps() + " on this server, got "
                            + steps, "steps");
                }
                b.steps(steps);
            }
            param = "guidance_scale";
            JsonNode cfg = root.get("guidance_scale");
            if (cfg != null && !cfg.isNull()) {
                if (!cfg.isNumber()) {
                    throw new ApiError(400, "'guidance_scale' must be a number, got " + cfg, "guidance_scale");
                }
                b.cfgScale(cfg.asDouble());
            }
            param = "guidance_interval";
            JsonNode interval = root.get("guidance_interval");
            if (interval != null && !interval.isNull()) {
                b.cfgInterval(dev.t2i.sampling.GuidanceInterval.fromJson(interval));
            }
            param = "seed";
            JsonNode seed = root.get("seed");
            if (seed != null && !seed.isNull()) {
                if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
                    throw new ApiError(400, "'seed' must be a whole number, got " + seed, "seed");
                }
                b.seed(seed.asLong());
            }
            param = "negative_prompt";
            String negative = GenerateJson.textField(root, "negative_prompt");
            if (negative != null) {
                b.negativePrompt(negative);
            }
            param = "sampler";
            String sampler = GenerateJson.textField(root, "sampler");
            if (sampler != null) {
                b.sampler(sampler);
            }
            param = null;
            return b.build();
        } catch (HttpError e) {
            throw new ApiError(e.status(), e.getMessage(), param);
        } catch (IllegalArgumentException | T2iException e) {
            throw new ApiError(400, e.getMessage(), param);
        }
    }

    private void checkSize(String size) {
        int s = model.info().imageSize();
        String own = s + "x" + s;
        if (size != null && !size.equals("auto") && !size.equals(own)) {
            throw new ApiError(400, "size '" + size + "' is not available: this model makes " + own + " images (use"
                    + " \"" + own + "\" or \"auto\")", "size");
        }
    }

    private void respond(HttpExchange ex, InFlight.Ticket ticket, String prompt, GenerationResult result,
            Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof IllegalArgumentException || cause instanceof T2iException) {
                error(ex, 400, cause.getMessage(), null);
            } else if (cause instanceof java.util.concurrent.CancellationException) {
                // before IllegalStateException, which it extends: stopped by its deadline, its
                // client hanging up or a drain
                HttpError stopped = InFlight.stopped(ticket, options);
                if (stopped.status() == 503) {
                    ex.getResponseHeaders().set("Retry-After", "1");
                }
                error(ex, stopped.status(), stopped.getMessage(), null);
            } else if (cause instanceof IllegalStateException) {
                ex.getResponseHeaders().set("Retry-After", "1");
                error(ex, 503, "the server is shutting down", null);
            } else {
                error(ex, 500, ServerErrors.logged(ex, "generation failed", cause), null);
            }
            return;
        }
        try {
            ObjectNode body = Exchanges.JSON.createObjectNode();
            body.put("created", System.currentTimeMillis() / 1000);
            ArrayNode data = body.putArray("data");
            for (int i = 0; i < result.size(); i++) {
                data.addObject()
                        .put("b64_json", Base64.getEncoder().encodeToString(result.png(i)))
                        .put("revised_prompt", prompt)
                        .put("seed", result.seeds().get(i));
            }
            body.put("output_format", "png");
            int s = model.info().imageSize();
            body.put("size", s + "x" + s);
            Exchanges.json(ex, 200, body);
        } catch (RuntimeException e) {
            error(ex, 500, ServerErrors.logged(ex, "cannot encode the images", e), null);
        }
    }
}
