package dev.t2i.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.t2i.api.ModelInfo;
import dev.t2i.api.TextToImage;

/** {@code GET /health}: 200 with the loaded model's description and the number of waiting requests. */
final class HealthHandler implements HttpHandler {
    private final TextToImage model;
    private final ServerOptions options;

    HealthHandler(TextToImage model, ServerOptions options) {
        this.model = model;
        this.options = options;
    }

    @Override
    public void handle(HttpExchange ex) {
        if (!ex.getRequestMethod().equals("GET")) {
            ex.getResponseHeaders().set("Allow", "GET");
            Exchanges.error(ex, 405, "use GET for /health, not " + ex.getRequestMethod());
            return;
        }
        ModelInfo info = model.info();
        ObjectNode body = Exchanges.JSON.createObjectNode().put("status", "ok").put("queued", model.queuedRequests());
        body.putObject("model")
                .put("image_size", info.imageSize())
                .put("default_steps", info.defaultSteps())
                .put("default_cfg", info.defaultCfgScale())
                .putPOJO("default_cfg_interval", info.defaultCfgInterval().times())
                .put("default_sampler", info.defaultSampler().id())
                .put("default_guide_scale", info.defaultGuideScale())
                .put("guide_model", info.guideModel())
                .put("format_version", info.formatVersion())
                .put("created_by", info.createdBy())
                .put("created", info.created())
                .put("clip", info.clip())
                .put("dit_parameters", info.ditParameters())
                // with an untrained text encoder the model follows its training captions only: the page offers them
                .put("untrained_text_encoder", info.untrainedTextEncoder())
                .putPOJO("training_captions", info.trainingCaptions());
        body.putObject("limits")
                .put("max_steps", options.maxSteps())
                .put("max_n", options.maxImages())
                .put("max_images_times_steps", options.maxImageSteps())
                .put("max_body_bytes", options.maxBodyBytes());
        Exchanges.json(ex, 200, body);
    }
}
