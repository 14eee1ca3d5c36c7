package dev.t2i.server;

import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.ModelInfo;
import dev.t2i.api.TextToImage;
import java.util.concurrent.CompletableFuture;

/** A model that hands everything to another; tests override {@link #submit} to watch what the server asks. */
class ForwardingModel implements TextToImage {
    final TextToImage model;

    ForwardingModel(TextToImage model) {
        this.model = model;
    }

    @Override
    public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
        return model.submit(request);
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    @Override
    public int queuedRequests() {
        return model.queuedRequests();
    }

    @Override
    public void close() {
        model.close();
    }
}
