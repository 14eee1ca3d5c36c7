package dev.t2i.dit;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.Safetensors;
import dev.t2i.io.TensorFormatException;
import dev.t2i.nn.ParamSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DiT in this project's files: its config, parameter specs and SameDiff graph (with weights)
 * as three parts of a {@link ModelArchive}, alone or inside a checkpoint or bundle.
 */
public final class DitFiles {
    static final String GRAPH = "dit.samediff";
    static final String CONFIG = "dit-config.json";
    static final String PARAMS = "dit-params.json";
    static final String TEXT_CENTERING = "dit-text-centering.safetensors";

    private DitFiles() {
    }

    /** Writes a model file holding only the DiT. */
    public static void save(DitNetwork model, Path path) {
        addTo(model, ModelArchive.create()).write(path);
    }

    /** Reads a model file written by {@link #save}. */
    public static DitNetwork load(Path path) {
        return read(ModelArchive.read(path));
    }

    /** Adds the DiT's parts to an archive being assembled (checkpoints, bundles). */
    public static ModelArchive addTo(DitNetwork model, ModelArchive a) {
        a.putJson(CONFIG, model.config()).putJson(PARAMS, model.params().values())
                .putGraph(GRAPH, model.graph(), false);
        if (model.textCentering() != null) {
            a.putTensors(TEXT_CENTERING, model.textCentering().tensors());
        }
        return a;
    }

    /** Reads the DiT parts of an archive (a model file, a checkpoint or a bundle), checking they agree. */
    public static DitNetwork read(ModelArchive a) {
        DitConfig cfg = a.json(CONFIG, DitConfig.class);
        List<ParamSpec> specs;
        try {
            specs = ModelArchive.JSON.convertValue(a.json(PARAMS), new TypeReference<List<ParamSpec>>() { });
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException("part '" + PARAMS + "' of the model file is malformed: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        Map<String, ParamSpec> params = new LinkedHashMap<>();
        for (ParamSpec s : specs == null ? List.<ParamSpec>of() : specs) {
            if (s == null || s.name() == null || s.shape() == null) {
                throw new TensorFormatException("part '" + PARAMS + "' of the model file lists a parameter without"
                        + " a name or shape");
            }
            params.put(s.name(), s);
        }
        SameDiff sd = a.graph(GRAPH);
        checkAgrees(cfg, sd, params);
        DitNetwork model = new DitNetwork(cfg, sd, params);
        if (cfg.textCentering()) {
            if (!a.has(TEXT_CENTERING)) {
                throw new TensorFormatException("the model centres its text tokens (text_centering) but the file has"
                        + " no part '" + TEXT_CENTERING + "'; it is damaged or was assembled by hand");
            }
            model.setTextCentering(TextCentering.fromTensors(Safetensors.readAll(a.bytes(TEXT_CENTERING)), cfg,
                    TEXT_CENTERING));
        }
        return model;
    }

    /**
     * Refuses a file whose config, parameter list and graph disagree, as when a config is edited
     * or copied over another model's graph: a 64x64 config over a graph built for 32x32 otherwise
     * wrote 64x64 images, and other mixes fail deep inside a native op. Checks the image input, the
     * position table, the depth, the patch and text widths, and every listed parameter's shape.
     */
    static void checkAgrees(DitConfig cfg, SameDiff sd, Map<String, ParamSpec> params) {
        long[] input = sd.hasVariable(DitGraph.X) ? sd.getVariable(DitGraph.X).getShape() : null;
        long[] want = {-1, cfg.inChannels(), cfg.imgSize(), cfg.imgSize()};
        if (input == null || !Arrays.equals(input, want)) {
            throw disagree("the config says " + cfg.inChannels() + "-channel " + cfg.imgSize() + "x" + cfg.imgSize()
                    + " images, the graph takes " + (input == null ? "no image input" : Arrays.toString(input)));
        }
        INDArray pos = sd.hasVariable("pos_embed") ? sd.getArrForVarName("pos_embed") : null;
        if (pos == null || pos.length() != (long) cfg.tokens() * cfg.embedDim()) {
            throw disagree("the config says " + cfg.tokens() + " patches of width " + cfg.embedDim()
                    + ", the graph's position table is " + (pos == null ? "missing" : Arrays.toString(pos.shape())));
        }
        int blocks = 0;
        for (String name : params.keySet()) {
            if (name.startsWith("blocks.")) {
                String index = name.substring("blocks.".length()).split("\\.")[0];
                blocks = Math.max(blocks, index.matches("\\d{1,6}") ? Integer.parseInt(index) + 1 : blocks);
            }
        }
        if (blocks != cfg.depth()) {
            throw disagree("the config says depth " + cfg.depth() + ", the parameters hold " + blocks + " blocks");
        }
        expectSize(params, "patch_embed.proj.weight", (long) cfg.patchValues() * cfg.embedDim(),
                "patches of " + cfg.patchValues() + " values into width " + cfg.embedDim());
        if (cfg.isText()) {
            expectSize(params, "text_proj.weight", (long) cfg.contextDim() * cfg.contextDim(),
                    "text tokens " + cfg.contextDim() + " wide");
        }
        for (ParamSpec spec : params.values()) {
            INDArray arr = sd.hasVariable(spec.name()) ? sd.getArrForVarName(spec.name()) : null;
            if (arr == null) {
                throw disagree("parameter '" + spec.name() + "' of " + PARAMS + " is not in the graph");
            }
            if (!Arrays.equals(arr.shape(), spec.shape())) {
                throw disagree("parameter '" + spec.name() + "' is " + Arrays.toString(arr.shape())
                        + " in the graph but " + Arrays.toString(spec.shape()) + " in " + PARAMS);
            }
        }
    }

    private static void expectSize(Map<String, ParamSpec> params, String name, long size, String what) {
        ParamSpec spec = params.get(name);
        if (spec != null && spec.size() != size) {
            throw disagree("the config says " + what + ", but '" + name + "' is " + Arrays.toString(spec.shape()));
        }
    }

    private static TensorFormatException disagree(String what) {
        return new TensorFormatException("the DiT's config and graph disagree: " + what + " (the file was edited or"
                + " mixed from two models; write it again from its run)");
    }
}
