package dev.t2i.clip;

import dev.t2i.nn.Attention;
import dev.t2i.nn.GraphMode;
import dev.t2i.nn.LayerNorm;
import dev.t2i.nn.Linear;
import dev.t2i.nn.Mlp;
import dev.t2i.nn.ParamScope;
import dev.t2i.nn.ParamSpec;
import dev.t2i.runtime.Graphs;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP's text transformer as a SameDiff graph, with Hugging Face parameter names
 * ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}, {@code text_projection.weight}).
 *
 * <p>Inputs: {@value #INPUT_IDS} INT [B,L], {@value #ATTENTION_MASK} FLOAT [B,L]. Outputs:
 * {@value #LAST_HIDDEN} [B,L,W], {@value #POOLED} [B,W], {@value #TEXT_EMBEDS} [B,P].
 */
public final class ClipTextGraph {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String LAST_HIDDEN = "last_hidden_state";
    public static final String POOLED = "pooler_output";
    public static final String TEXT_EMBEDS = "text_embeds";

    private ClipTextGraph() {
    }

    /** A built graph and the specs of its (frozen) parameters. */
    public record Built(SameDiff sd, Map<String, ParamSpec> params) {
    }

    /** Builds the graph with seeded random weights of the configured shapes. */
    public static Built build(ClipTextConfig cfg, long seed) {
        SameDiff sd = Graphs.create();
        ParamScope root = ParamScope.root(sd, seed, GraphMode.INFER);
        define(root, cfg, cfg.maxPositions());
        return new Built(sd, root.params());
    }

    /**
     * The tower cut to its first {@code positions} positions, over the very weight arrays of
     * {@code full} (nothing is copied). CLIP's causal mask makes position i depend on tokens 0..i
     * only, so its {@value #LAST_HIDDEN} is exactly the first {@code positions} rows of the full
     * tower's, at {@code positions}/L of the cost. It has no pooled outputs: the EOS row may lie
     * past the cut.
     */
    public static SameDiff prefix(ClipTextConfig cfg, SameDiff full, int positions) {
        if (positions < 1 || positions >= cfg.maxPositions()) {
            throw new IllegalArgumentException("a prefix has 1 to " + (cfg.maxPositions() - 1) + " positions, got "
                    + positions);
        }
        SameDiff sd = Graphs.create();
        define(ParamScope.sharing(sd, GraphMode.INFER, full), cfg, positions);
        return sd;
    }

    /** The tower over {@code len} positions; the pooled outputs only when it sees all of them. */
    private static void define(ParamScope root, ClipTextConfig cfg, int len) {
        SameDiff sd = root.sd();
        int w = cfg.width();
        boolean whole = len == cfg.maxPositions();
        SDVariable ids = sd.placeHolder(INPUT_IDS, DataType.INT, -1, len);
        SDVariable mask = sd.placeHolder(ATTENTION_MASK, DataType.FLOAT, -1, len);

        ParamScope tm = root.child("text_model");
        ParamScope emb = tm.child("embeddings");
        SDVariable tokenTable = emb.child("token_embedding").normal("weight", 0.02, cfg.vocabSize(), w);
        SDVariable posTable = emb.child("position_embedding").normal("weight", 0.01, cfg.maxPositions(), w);
        if (!whole) {
            posTable = posTable.get(SDIndex.interval(0, len));
        }
        // gather is fine here: the text tower is frozen, so its (imperfect) gradient is never used
        SDVariable h = sd.gather(tokenTable, ids, 0).add(posTable).reshape(-1, w);       // [B·L, W]

        SDVariable bias = Attention.keyPaddingBias(mask, len).add(sd.constant("causal_bias", causalBias(len)));
        ParamScope layers = tm.child("encoder");
        for (int i = 0; i < cfg.layers(); i++) {
            ParamScope layer = layers.child("layers", i);
            SDVariable a = LayerNorm.affine(layer, "layer_norm1", h, w, cfg.layerNormEps());
            h = h.add(Attention.separateProjections(layer, "self_attn", a, a, len, len, cfg.heads(), w, w, bias));
            SDVariable m = LayerNorm.affine(layer, "layer_norm2", h, w, cfg.layerNormEps());
            h = h.add(Mlp.apply(layer, "mlp.fc1", "mlp.fc2", m, w, cfg.intermediate(), cfg.activation()));
        }
        h = LayerNorm.affine(tm, "final_layer_norm", h, w, cfg.layerNormEps());
        SDVariable hidden = sd.identity(LAST_HIDDEN, h.reshape(-1, len, w));
        if (!whole) {
            return;
        }

        // the pooled row: legacy configs take the largest id (the EOS), newer ones the first eos id
        SDVariable key = cfg.legacyEos() ? ids : sd.eq(ids, sd.constant(cfg.eosTokenId())).castTo(DataType.INT);
        SDVariable pick = sd.oneHot(sd.argmax(key, 1), len, -1, 1.0, 0.0, DataType.FLOAT).reshape(-1, 1, len);
        SDVariable pooled = sd.identity(POOLED, sd.mmul(pick, hidden).reshape(-1, w));
        sd.identity(TEXT_EMBEDS, Linear.apply(root, "text_projection", pooled, w, cfg.projectionDim(),
                Linear.Init.XAVIER, false));
    }

    /** [1,1,L,L] with 0 on and below the diagonal and a large negative value above it. */
    private static INDArray causalBias(int len) {
        float[][] m = new float[len][len];
        for (int i = 0; i < len; i++) {
            for (int j = i + 1; j < len; j++) {
                m[i][j] = (float) Attention.MASKED;
            }
        }
        return Nd4j.create(m).reshape(1, 1, len, len);
    }

}
