package dev.t2i.dit;

import dev.t2i.T2iException;
import dev.t2i.io.TensorFormatException;
import dev.t2i.nn.ParamSpec;
import dev.t2i.runtime.Graphs;
import dev.t2i.runtime.NativeArrays;
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
 * The DiT network: its config, its SameDiff graph (with weights) and the specs of its
 * parameters, and its forward pass. Created by {@link DitGraph#build}, read by {@link DitFiles}
 * (this project's files) or {@link ReferenceCheckpoint} (the PyTorch reference's). Not
 * thread-safe and without a text encoder: applications generate through
 * {@link dev.t2i.api.T2iModel}, which holds one of these inside a loaded bundle.
 */
public final class DitNetwork {
    private final DitConfig config;
    private final SameDiff sd;
    private final Map<String, ParamSpec> params;
    /** The fitted map of the text tokens of a {@code text_centering} model; null until fitted or read. */
    private volatile TextCentering textCentering;
    /** The text variant's trunk with the text features as inputs, sharing this graph's weights; built on first use. */
    private SameDiff cachedTextGraph;
    /** Training graphs that run on a subset of the image tokens, by kept count, sharing this graph's weights. */
    private final Map<Integer, SameDiff> tokenDroppedGraphs = new HashMap<>();

    DitNetwork(DitConfig config, SameDiff sd, Map<String, ParamSpec> params) {
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
        for (SameDiff g : tokenDroppedGraphs.values()) {
            Graphs.closeTrainingSessions(g);
        }
        tokenDroppedGraphs.clear();
        Graphs.release(sd);
    }

    /**
     * A training graph of this model that runs its blocks on {@code kept} of each image's tokens
     * (see {@link DitGraph}: input {@link DitGraph#TOKEN_SELECT}, output the kept tokens' patches),
     * sharing this graph's weight arrays, so that a step on it trains this model. Built on first
     * use, once per kept count; {@link #release} frees its sessions.
     */
    public synchronized SameDiff tokenDroppedGraph(int kept) {
        return tokenDroppedGraphs.computeIfAbsent(kept, k -> shareWeightsInto(DitGraph.buildTokenDropped(config, k)));
    }

    /**
     * Frees the buffers that sampling keeps for reuse (the pools of the prepared-text graph's
     * sessions), so that a training run does not carry a sampling pool beside its training pool
     * after each sample grid; the next sampling call allocates them again.
     */
    public synchronized void freeSamplingBuffers() {
        if (cachedTextGraph != null) {
            Graphs.closeSessions(cachedTextGraph);
        }
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
            cachedTextGraph = shareWeightsInto(DitGraph.buildCachedText(config));
        }
        return cachedTextGraph;
    }

    /**
     * Makes a graph built from this model's config use this graph's weight arrays (updated in
     * place by training and EMA swaps), freeing its own.
     */
    private SameDiff shareWeightsInto(SameDiff g) {
        for (SDVariable v : g.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                INDArray own = v.getArr();
                g.associateArrayWithVariable(sd.getArrForVarName(v.name()), v);
                if (own != null && own.closeable()) {
                    own.close();
                }
            }
        }
        return g;
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

    /**
     * The text centring of a {@code text_centering} model (null for other models, and before the
     * trainer has fitted it).
     */
    public TextCentering textCentering() {
        return textCentering;
    }

    /**
     * Sets the text centring of a {@code text_centering} model: the trainer fits it to the
     * training captions before the first step; model files carry it.
     */
    public void setTextCentering(TextCentering centering) {
        if (!config.textCentering()) {
            throw new IllegalStateException("this DiT does not centre its text tokens (text_centering is off)");
        }
        if (centering.mean().size(0) != config.contextLen() || centering.mean().size(1) != config.contextDim()) {
            throw new IllegalArgumentException("a text centring of " + java.util.Arrays.toString(centering.mean().shape())
                    + " for a DiT of " + config.contextLen() + " tokens of width " + config.contextDim());
        }
        this.textCentering = centering;
    }

    /** The text placeholders for {@code b} images, checked against the config. */
    private Map<String, INDArray> textInputs(INDArray context, INDArray contextMask, long b) {
        if (context == null || contextMask == null) {
            throw new T2iException("the text-conditional DiT needs context and context_mask inputs");
        }
        expectShape("context", context, b, config.contextLen(), config.contextDim());
        expectShape("context_mask", contextMask, b, config.contextLen());
        if (config.textCentering()) {
            TextCentering centering = textCentering;
            if (centering == null) {
                throw new IllegalStateException("this DiT centres its text tokens but its text centring was never"
                        + " fitted (TextCentering.fit on the training captions, then setTextCentering)");
            }
            context = centering.apply(context);
        }
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
}
