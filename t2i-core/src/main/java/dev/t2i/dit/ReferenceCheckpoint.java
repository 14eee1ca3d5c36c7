package dev.t2i.dit;

import dev.t2i.T2iException;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.Safetensors;
import dev.t2i.io.TensorFormatException;
import dev.t2i.io.torch.TorchImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A checkpoint of the reference PyTorch implementation: {@code config.json} (its constructor
 * arguments) and {@code model.safetensors} (its state dict), read into a DiT with the same
 * parameter names.
 */
public final class ReferenceCheckpoint {
    private ReferenceCheckpoint() {
    }

    /**
     * Loads a folder with {@code config.json} and {@code model.safetensors}, or the safetensors
     * file itself with the config beside it; the variant follows from the parameters present.
     */
    public static DitNetwork load(Path dirOrFile) {
        Path dir = Files.isDirectory(dirOrFile) ? dirOrFile : dirOrFile.toAbsolutePath().getParent();
        Path weights = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("model.safetensors") : dirOrFile;
        Path configFile = dir.resolve("config.json");
        if (!Files.exists(configFile)) {
            throw new T2iException("no config.json next to " + weights
                    + " (a reference checkpoint folder holds config.json and model.safetensors)");
        }
        DitConfig cfg;
        try {
            cfg = ModelArchive.JSON.readValue(configFile.toFile(), DitConfig.class);
        } catch (IOException e) {
            T2iException invalid = T2iException.within(e);
            throw new T2iException("cannot read " + configFile + ": "
                    + (invalid != null ? invalid.getMessage() : e.getMessage()));
        }
        try (Safetensors st = Safetensors.open(weights)) {
            if (st.keys().stream().noneMatch(k -> k.contains("cross_attn"))) {
                cfg = cfg.withVariant(st.contains("class_embed.weight") ? DitConfig.Variant.CLASS
                        : DitConfig.Variant.UNCONDITIONAL);
            }
            DitNetwork model = DitGraph.build(cfg, 0);
            importInto(model, st);
            return model;
        }
    }

    /** Copies every parameter of a PyTorch state dict into {@code model}, checking names and shapes. */
    public static void importInto(DitNetwork model, Safetensors st) {
        Map<String, INDArray> values = TorchImport.read(st, model.params().values(), "checkpoint",
                "is it a checkpoint of this architecture and config?");
        List<String> unknown = st.keys().stream().filter(k -> !model.params().containsKey(k)).toList();
        if (!unknown.isEmpty()) {
            throw new TensorFormatException("checkpoint " + st.path() + " has parameters this model does not: "
                    + unknown.subList(0, Math.min(5, unknown.size())) + " (wrong config?)");
        }
        model.setWeights(values);
    }
}
