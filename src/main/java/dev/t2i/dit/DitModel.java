package dev.t2i.dit;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.t2i.T2iException;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.Safetensors;
import dev.t2i.io.TensorFormatException;
import dev.t2i.nn.Graphs;
import dev.t2i.nn.NativeArrays;
import dev.t2i.nn.ParamSpec;
import dev.t2i.nn.TorchImport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DiT: its config, its SameDiff graph (with weights) and the specs of its parameters.
 * Created by {@link DitGraph#build}, {@link #load} or {@link #fromTorchCheckpoint}.
 */
public final class DitModel {
    static final String GRAPH = "dit.samediff";
    static final String CONFIG = "dit-config.json";
    static final String PARAMS = "dit-params.json";

    private final DitConfig config;
    private final SameDiff sd;
    private final Map<String, ParamSpec> params;
    /** The text variant's trunk with the text features as inputs, sharing this graph's weights; built on first use. */
    private SameDiff cachedTextGraph;

    DitModel(DitConfig config, SameDiff sd, Map<String, ParamSpec> params) {
        this.config = config;
        this.sd = sd;
        this.params = params;
    }

    public DitConfig config() {
        return config;
    }

    /** The underlying graph (for training and advanced use). */
    public SameDiff graph() {
        return sd;
    }

    /** Specs of every parameter, in creation order. */
    public Map<String, ParamSpec> params() {
        return params;
    }

    /** Names of the trainable variables. */
    public List<String> trainableNames() {
        return params.values().stream().filter(ParamSpec::trainable).map(ParamSpec::name).toList();
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        return params.values().stream().filter(ParamSpec::trainable).mapToLong(ParamSpec::size).sum();
    }

    /** Trainable scalars per top-level module ({@code blocks.N} kept separate), in order. */
    public Map<String, Long> parameterCountsByModule() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (ParamSpec p : params.values()) {
            String[] parts = p.name().split("\\.");
            String module = parts[0].equals("blocks") ? parts[0] + "." + parts[1] : parts[0];
            out.merge(module, p.size(), Long::sum);
        }
        return out;
    }

    /**
     * One forward pass: the predicted velocity [B,C,H,W]. {@code context} and {@code contextMask}
     * are used by the text variant, {@code labels} by the class variant; pass null otherwise.
     */
    public INDArray velocity(INDArray x, INDArray t, INDArray context, INDArray contextMask, INDArray labels) {
        return Graphs.output(sd, inputs(x, t, context, contextMask, labels), DitGraph.VELOCITY).get(DitGraph.VELOCITY);
    }

    /**
     * The text inputs of a batch, prepared once for many forward passes over them (the steps of a
     * sampler): the cross-attention keys and values of its distinct texts are computed here, not
     * in every pass. Graphs saved before this existed, and the other variants, keep the plain
     * inputs and get no saving.
     *
     * @param context     [B, M, ctx] text tokens (text variant), or null
     * @param contextMask [B, M], or null
     * @param labels      [B] class labels (class variant), or null
     */
    public PreparedText prepareText(INDArray context, INDArray contextMask, INDArray labels) {
        if (!preparesText()) {
            return new PreparedText(context, contextMask, labels, null);
        }
        Map<String, INDArray> text = textInputs(context, contextMask, context == null ? 0 : context.size(0));
        String[] names = config.textPool() ? new String[] {DitGraph.TEXT_KV, DitGraph.TEXT_POOL}
                : new String[] {DitGraph.TEXT_KV};
        Map<String, INDArray> features = new HashMap<>(Graphs.output(sd,
                Map.of(DitGraph.CONTEXT, text.get(DitGraph.CONTEXT)), names));
        // the distinct texts live on only as their keys and values
        NativeArrays.closeAll(List.of(text.get(DitGraph.CONTEXT)));
        features.put(DitGraph.CONTEXT_SELECT, text.get(DitGraph.CONTEXT_SELECT));
        features.put(DitGraph.CONTEXT_MASK, text.get(DitGraph.CONTEXT_MASK));
        return new PreparedText(context, contextMask, labels, features);
    }

    /** One forward pass over prepared text inputs: the same velocity as {@link #velocity(INDArray, INDArray, INDArray, INDArray, INDArray)}. */
    public INDArray velocity(INDArray x, INDArray t, PreparedText text) {
        if (text.features() == null) {
            return velocity(x, t, text.context(), text.mask(), text.labels());
        }
        long b = x.size(0);
        expectShape("x", x, b, config.inChannels(), config.imgSize(), config.imgSize());
        expectShape("t", t, b);
        if (text.context().size(0) != b) {
            throw new T2iException("prepared text is for " + text.context().size(0) + " images, got " + b);
        }
        Map<String, INDArray> in = new HashMap<>(text.features());
        in.put(DitGraph.X, x.castTo(DataType.FLOAT));
        in.put(DitGraph.T, t.castTo(DataType.FLOAT));
        return Graphs.output(cachedTextGraph(), in, DitGraph.VELOCITY).get(DitGraph.VELOCITY);
    }

    /**
     * Text inputs ready for {@link #velocity(INDArray, INDArray, PreparedText)}.
     *
     * @param features the cached-text graph's inputs, or null where the plain inputs are used
     */
    public record PreparedText(INDArray context, INDArray mask, INDArray labels, Map<String, INDArray> features) {
    }

    /**
     * Frees the native memory of the weights and of every session (also the cached-text
     * graph's); the model must not be used afterwards.
     */
    public synchronized void release() {
        if (cachedTextGraph != null) {
            // its weights are this graph's arrays, freed below; only its sessions are its own
            Graphs.closeSessions(cachedTextGraph);
            cachedTextGraph = null;
        }
        Graphs.release(sd);
    }

    /**
     * The graph that {@link #velocity(INDArray, INDArray, PreparedText)} runs: the one that
     * takes prepared text, or the main graph where text is not prepared. For profiling.
     */
    public SameDiff samplingGraph() {
        return preparesText() ? cachedTextGraph() : sd;
    }

    /** Whether text is prepared once for repeated passes (text models saved with de-duplicated texts). */
    private boolean preparesText() {
        return config.isText() && sd.hasVariable(DitGraph.TEXT_KV) && sd.hasVariable(DitGraph.CONTEXT_SELECT);
    }

    private synchronized SameDiff cachedTextGraph() {
        if (cachedTextGraph == null) {
            SameDiff g = DitGraph.buildCachedText(config);
            // share this graph's weight arrays (updated in place by training and EMA swaps)
            for (SDVariable v : g.variables()) {
                if (v.getVariableType() == VariableType.VARIABLE) {
                    INDArray own = v.getArr();
                    g.associateArrayWithVariable(sd.getArrForVarName(v.name()), v);
                    if (own != null && own.closeable()) {
                        own.close();
                    }
                }
            }
            cachedTextGraph = g;
        }
        return cachedTextGraph;
    }

    /** Evaluates any named outputs of the graph for the given inputs. */
    public Map<String, INDArray> outputs(Map<String, INDArray> inputs, String... names) {
        return Graphs.output(sd, inputs, names);
    }

    /** The placeholder map for a forward pass, with shapes checked against the config. */
    public Map<String, INDArray> inputs(INDArray x, INDArray t, INDArray context, INDArray contextMask,
            INDArray labels) {
        Map<String, INDArray> in = new HashMap<>();
        long b = x.size(0);
        expectShape("x", x, b, config.inChannels(), config.imgSize(), config.imgSize());
        expectShape("t", t, b);
        in.put(DitGraph.X, x.castTo(DataType.FLOAT));
        in.put(DitGraph.T, t.castTo(DataType.FLOAT));
        if (config.isText()) {
            in.putAll(textInputs(context, contextMask, b));
        } else if (config.isClass()) {
            if (labels == null) {
                throw new T2iException("the class-conditional DiT needs a label input");
            }
            expectShape("label", labels, b);
            in.put(DitGraph.LABEL, labels.castTo(DataType.INT));
        }
        return in;
    }

    /** The text placeholders for {@code b} images, checked against the config. */
    private Map<String, INDArray> textInputs(INDArray context, INDArray contextMask, long b) {
        if (context == null || contextMask == null) {
            throw new T2iException("the text-conditional DiT needs context and context_mask inputs");
        }
        expectShape("context", context, b, config.contextLen(), config.contextDim());
        expectShape("context_mask", contextMask, b, config.contextLen());
        if (sd.hasVariable(DitGraph.CONTEXT_SELECT)) {
            return TextContext.inputs(context.castTo(DataType.FLOAT), contextMask, textLengthFollowsData());
        }
        // a graph saved before texts were de-duplicated takes one text per image
        return Map.of(DitGraph.CONTEXT, context.castTo(DataType.FLOAT),
                DitGraph.CONTEXT_MASK, contextMask.castTo(DataType.FLOAT));
    }

    /** Whether this graph takes text of any length (models saved before it did take 77 tokens). */
    private boolean textLengthFollowsData() {
        long[] shape = sd.getVariable(DitGraph.CONTEXT_MASK).getShape();
        return shape != null && shape.length == 2 && shape[1] < 0;
    }

    private static void expectShape(String name, INDArray a, long... shape) {
        if (!Arrays.equals(a.shape(), shape)) {
            throw new T2iException("input '" + name + "' has shape " + Arrays.toString(a.shape()) + ", expected "
                    + Arrays.toString(shape));
        }
    }

    /** Current value of every parameter (graph layout), by name. */
    public Map<String, INDArray> weights() {
        Map<String, INDArray> out = new TreeMap<>();
        for (String n : params.keySet()) {
            out.put(n, sd.getArrForVarName(n));
        }
        return out;
    }

    /** Replaces parameter values (graph layout); every name must exist with the same shape. */
    public void setWeights(Map<String, INDArray> values) {
        for (var e : values.entrySet()) {
            ParamSpec spec = params.get(e.getKey());
            if (spec == null) {
                throw new TensorFormatException("unknown parameter '" + e.getKey() + "' for this DiT");
            }
            if (!Arrays.equals(spec.shape(), e.getValue().shape())) {
                throw new TensorFormatException("parameter '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + ", the model expects " + Arrays.toString(spec.shape()));
            }
            sd.getArrForVarName(e.getKey()).assign(e.getValue());
        }
    }

    /** Saves graph, weights and config (plus updater state when {@code withUpdater}) to one file. */
    public void save(Path path, boolean withUpdater) {
        ModelArchive.create()
                .putJson(CONFIG, config)
                .putJson(PARAMS, params.values())
                .putGraph(GRAPH, sd, withUpdater)
                .write(path);
    }

    /** Loads a model written by {@link #save}. */
    public static DitModel load(Path path) {
        ModelArchive a = ModelArchive.read(path);
        return fromArchive(a);
    }

    /** Reads the DiT parts of an archive (a model file or a bundle). */
    public static DitModel fromArchive(ModelArchive a) {
        DitConfig cfg = a.json(CONFIG, DitConfig.class).validate();
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
        return new DitModel(cfg, sd, params);
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

    /** Writes this model into an archive being assembled (for bundles). */
    public ModelArchive addTo(ModelArchive a, boolean withUpdater) {
        return a.putJson(CONFIG, config).putJson(PARAMS, params.values()).putGraph(GRAPH, sd, withUpdater);
    }

    /**
     * Loads a checkpoint of the reference PyTorch implementation: a folder with {@code config.json}
     * (constructor arguments) and {@code model.safetensors} (state dict), or the safetensors file
     * itself with the config beside it.
     */
    public static DitModel fromTorchCheckpoint(Path dirOrFile) {
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
        } catch (java.io.IOException e) {
            throw new T2iException("cannot read " + configFile + ": " + e.getMessage());
        }
        try (Safetensors st = Safetensors.open(weights)) {
            if (!st.keys().stream().anyMatch(k -> k.contains("cross_attn"))) {
                cfg = cfg.withVariant(st.contains("class_embed.weight") ? DitConfig.CLASS : DitConfig.UNCONDITIONAL);
            }
            DitModel model = DitGraph.build(cfg, 0);
            model.importTorch(st);
            return model;
        }
    }

    /** Copies every parameter from a PyTorch state dict, checking names and shapes. */
    public void importTorch(Safetensors st) {
        Map<String, INDArray> values = TorchImport.read(st, params.values(), "checkpoint",
                "is it a checkpoint of this architecture and config?");
        List<String> unknown = st.keys().stream().filter(k -> !params.containsKey(k)).toList();
        if (!unknown.isEmpty()) {
            throw new TensorFormatException("checkpoint " + st.path() + " has parameters this model does not: "
                    + unknown.subList(0, Math.min(5, unknown.size())) + " (wrong config?)");
        }
        setWeights(values);
    }

    /** The variable for a parameter. */
    SDVariable variable(String name) {
        return sd.getVariable(name);
    }
}
