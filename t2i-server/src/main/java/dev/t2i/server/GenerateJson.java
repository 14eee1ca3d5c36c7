package dev.t2i.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.T2iException;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.InitImages;
import dev.t2i.sampling.GuidanceInterval;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * The body of {@code POST /v1/generate} and {@code POST /v1/jobs}: a JSON object with
 * {@code prompt} (required), {@code steps}, {@code cfg}, {@code cfg_interval} ({@code [from, to]}:
 * guidance only at those times), {@code guide_scale} (autoguidance, for models with a guide model),
 * {@code seed}, {@code negative_prompt},
 * {@code n}, {@code sampler}, and for image-to-image {@code init_image} (base64 PNG or JPEG, a
 * {@code data:} URL too) with {@code strength}. Unknown fields are rejected so that a typo does
 * not silently fall back to a default.
 */
final class GenerateJson {
    static final List<String> FIELDS = List.of("prompt", "steps", "cfg", "cfg_interval", "guide_scale",
            "seed", "negative_prompt", "n", "sampler",
            "init_image", "strength");
    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerateJson() {
    }

    /**
     * Parses and checks a body against the server's limits.
     *
     * @throws HttpError 400 naming the first problem
     */
    static GenerationRequest parse(byte[] body, ServerOptions limits) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw badRequest("malformed JSON: " + e.getOriginalMessage().lines().findFirst().orElse("")
                    + " (send an object such as {\"prompt\": \"a red circle\", \"seed\": 1})");
        } catch (java.io.IOException e) {
            throw badRequest("cannot read the body: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw badRequest("the body must be a JSON object such as {\"prompt\": \"a red circle\"}");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw badRequest("unknown field '" + f + "' (known: " + String.join(", ", FIELDS) + ")");
            }
        }
        JsonNode prompt = root.get("prompt");
        if (prompt == null || !prompt.isTextual()) {
            throw badRequest("'prompt' must be given as a string");
        }
        GenerationRequest.Builder b = GenerationRequest.builder(prompt.asText());
        Integer steps = intField(root, "steps");
        if (steps != null) {
            if (steps > limits.maxSteps()) {
                throw badRequest("steps must be at most " + limits.maxSteps() + " on this server, got " + steps);
            }
            b.steps(steps);
        }
        Integer n = intField(root, "n");
        if (n != null) {
            if (n > limits.maxImages()) {
                throw badRequest("n must be at most " + limits.maxImages() + " on this server, got " + n);
            }
            b.imagesPerPrompt(n);
        }
        JsonNode cfg = root.get("cfg");
        if (cfg != null && !cfg.isNull()) {
            if (!cfg.isNumber()) {
                throw badRequest("'cfg' must be a number, got " + cfg);
            }
            b.cfgScale(cfg.asDouble());
        }
        JsonNode interval = root.get("cfg_interval");
        if (interval != null && !interval.isNull()) {
            GuidanceInterval times;
            try {
                times = GuidanceInterval.fromJson(interval);
            } catch (T2iException e) {
                throw badRequest("'cfg_interval': " + e.getMessage());
            }
            b.cfgInterval(times);
        }
        JsonNode guide = root.get("guide_scale");
        if (guide != null && !guide.isNull()) {
            if (!guide.isNumber()) {
                throw badRequest("'guide_scale' must be a number, got " + guide);
            }
            b.guideScale(guide.asDouble());
        }
        JsonNode seed = root.get("seed");
        if (seed != null && !seed.isNull()) {
            if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
                throw badRequest("'seed' must be a whole number, got " + seed);
            }
            b.seed(seed.asLong());
        }
        String negative = textField(root, "negative_prompt");
        if (negative != null) {
            b.negativePrompt(negative);
        }
        String sampler = textField(root, "sampler");
        String init = textField(root, "init_image");
        JsonNode strength = root.get("strength");
        try {
            if (sampler != null) {
                b.sampler(sampler);
            }
            if (init != null) {
                b.initImage(InitImages.decode(base64(init, "init_image")));
            }
            if (strength != null && !strength.isNull()) {
                if (!strength.isNumber()) {
                    throw badRequest("'strength' must be a number between 0 and 1, got " + strength);
                }
                b.strength(strength.asDouble());
            }
            return b.build();
        } catch (IllegalArgumentException | T2iException e) {
            throw badRequest(e.getMessage());
        }
    }

    /** Decodes base64 (standard or URL-safe, optionally a {@code data:...;base64,} URL). */
    static byte[] base64(String text, String field) {
        String t = text.startsWith("data:") && text.contains(",") ? text.substring(text.indexOf(',') + 1) : text;
        try {
            return Base64.getMimeDecoder().decode(t.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw badRequest("'" + field + "' must be base64 image bytes: " + e.getMessage());
        }
    }

    static Integer intField(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw badRequest("'" + name + "' must be a whole number, got " + v);
        }
        return v.asInt();
    }

    static String textField(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw badRequest("'" + name + "' must be a string, got " + v);
        }
        return v.asText();
    }

    private static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }
}
