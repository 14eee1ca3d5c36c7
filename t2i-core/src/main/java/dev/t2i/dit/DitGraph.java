package dev.t2i.dit;

import dev.t2i.nn.Activations;
import dev.t2i.nn.Attention;
import dev.t2i.nn.Broadcasts;
import dev.t2i.nn.GraphMode;
import dev.t2i.nn.LayerNorm;
import dev.t2i.nn.Linear;
import dev.t2i.nn.Mlp;
import dev.t2i.nn.ParamScope;
import dev.t2i.nn.SinCos;
import dev.t2i.nn.TorchLayout;
import dev.t2i.platform.CpuFeatures;
import dev.t2i.runtime.Graphs;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds the DiT family as one SameDiff graph: patchify → + 2-D sin-cos positions → blocks of
 * adaLN-modulated self-attention, cross-attention (text variant) and MLP → final layer norm and
 * linear → unpatchify. Parameter names are the reference implementation's state-dict names.
 *
 * <p>Inputs (placeholders): {@value #X} [B,C,H,W], {@value #T} [B], and per variant
 * {@value #CONTEXT} [U,M,ctx] (the distinct texts of the batch) with {@value #CONTEXT_SELECT}
 * [B,U] (one-hot: image → text) and {@value #CONTEXT_MASK} [B,M] (1 keep, 0 pad), as built by
 * {@link TextContext#inputs}, or {@value #LABEL} [B] (class index; numClasses is the null
 * class). Outputs: {@value #VELOCITY} [B,C,H,W] and per block
 * {@code blocks.i.cross_attn.weights} [B,H,N,M] for attention maps. The training objective is
 * not part of the model: {@code flow.FlowMatching} attaches it.
 *
 * <p>A {@linkplain #buildTokenDropped token-dropping} variant of the same graph trains on a subset
 * of each image's tokens (MaskDiT's speed-up): the positions are added first, then
 * {@value #TOKEN_SELECT} [B,K,N] (one-hot rows: kept token → image token) keeps K of the N
 * tokens, every block runs on those K, and {@value #VELOCITY} is the kept tokens' patches [B,K,P]
 * in {@link #tokenPatches} order.
 *
 * <p>The graph is shaped for a fast, lean training step on ND4J 1.0.0-M2.1 (see the nn package):
 * one product for all cross-attention keys and values, computed per distinct text; broadcasting
 * products expanded against shared zeros; query scales folded into weights.
 */
public final class DitGraph {
    public static final String X = "x";
    public static final String T = "t";
    public static final String CONTEXT = "context";
    public static final String CONTEXT_MASK = "context_mask";
    public static final String CONTEXT_SELECT = "context_select";
    public static final String LABEL = "label";
    /** The kept tokens of each image in a token-dropping graph, [B, K, N] one-hot rows. */
    public static final String TOKEN_SELECT = "token_select";
    public static final String VELOCITY = "velocity";
    /**
     * Cross-attention keys and values of every block for the distinct texts, [U, M·2·depth·D]:
     * an output of the full graph, a placeholder of the {@link #buildCachedText} graph.
     */
    public static final String TEXT_KV = "text_kv";
    /** The projected caption mean of each distinct text, [U, 4D] (text_pool models only); as TEXT_KV. */
    public static final String TEXT_POOL = "text_pool";
    private static final double EPS = 1e-5;

    private final DitConfig cfg;
    private final SameDiff sd;
    private final ParamScope root;
    /** Whether the text enters as precomputed {@link #TEXT_KV} (and {@link #TEXT_POOL}) instead of tokens. */
    private final boolean textFeaturesAsInput;
    /** Image tokens the blocks run on: all of them, or the kept ones of a token-dropping graph. */
    private final int tokens;
    /** Whether this is a token-dropping graph, with {@link #TOKEN_SELECT} (kept may equal N in tests). */
    private final boolean selectsTokens;
    /** Shared zeros for the broadcasting products, token rows [B·N, D] and [B, N, D]. */
    private SDVariable zerosRows;
    /** Text tokens per caption as the graph sees them: the config's, or {@link Attention#KEYS_FROM_BIAS}. */
    private int keyCount;
    private SDVariable zerosTokens;

    private DitGraph(DitConfig cfg, long seed, DataType dtype, boolean textFeaturesAsInput, int keptTokens) {
        this.cfg = cfg;
        this.textFeaturesAsInput = textFeaturesAsInput;
        this.selectsTokens = keptTokens > 0;
        this.tokens = selectsTokens ? keptTokens : cfg.tokens();
        this.sd = Graphs.create();
        // the cached-text trunk only samples; the full graph trains (and samples)
        this.root = ParamScope.root(sd, seed, textFeaturesAsInput ? GraphMode.INFER : GraphMode.TRAIN, dtype,
                productType(cfg, dtype));
    }

    /**
     * The number type of the layers' products: bf16 where the config asks for it and the CPU
     * multiplies bf16 natively; float32 otherwise, with a warning once per process. DOUBLE graphs
     * (gradient checks) keep their own type.
     */
    static DataType productType(DitConfig cfg, DataType dtype) {
        if (cfg.products() != DitConfig.Products.BFLOAT16 || dtype != DataType.FLOAT) {
            return dtype;
        }
        if (CpuFeatures.multipliesBfloat16()) {
            return DataType.BFLOAT16;
        }
        if (!warnedNoBfloat16) {
            warnedNoBfloat16 = true;
            LOG.warn("the model asks for bfloat16 products (products: bfloat16), but this CPU has no AVX512_BF16:"
                    + " they run in float32, which is faster here and agrees with bf16 to its rounding");
        }
        return DataType.FLOAT;
    }

    private static volatile boolean warnedNoBfloat16;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DitGraph.class);

    /** Builds the graph with freshly initialised weights; returns it with its parameter specs. */
    public static DitNetwork build(DitConfig cfg, long seed) {
        return build(cfg, seed, DataType.FLOAT);
    }

    /**
     * Builds the graph in the given floating-point type: FLOAT for use, DOUBLE for finite-difference
     * gradient checks (placeholders then take DOUBLE arrays; {@link DitNetwork#inputs} is FLOAT-only).
     */
    public static DitNetwork build(DitConfig cfg, long seed, DataType dtype) {
        DitGraph g = new DitGraph(cfg, seed, dtype, false, 0);
        g.define();
        return new DitNetwork(cfg, g.sd, g.root.params());
    }

    /**
     * The training graph that runs the blocks on {@code kept} of each image's tokens, chosen by
     * {@value #TOKEN_SELECT}; {@value #VELOCITY} is then the kept tokens' patches [B, kept, P].
     * The weights are freshly initialised: {@link DitNetwork#tokenDroppedGraph} shares a model's
     * into it.
     */
    static SameDiff buildTokenDropped(DitConfig cfg, int kept) {
        if (kept < 1 || kept > cfg.tokens()) {
            throw new IllegalArgumentException("kept tokens " + kept + " outside 1.." + cfg.tokens());
        }
        DitGraph g = new DitGraph(cfg, 0, DataType.FLOAT, false, kept);
        g.define();
        return g.sd;
    }

    /**
     * Images [B,C,H,W] as the patches of their tokens, [B, N, P]: the values the final layer
     * predicts for each token, in its order (the inverse of the graph's unpatchify).
     */
    public static SDVariable tokenPatches(DitConfig cfg, SDVariable images) {
        int p = cfg.patchSize();
        int g = cfg.grid();
        return images.reshape(-1, cfg.inChannels(), g, p, g, p).permute(0, 2, 4, 3, 5, 1)
                .reshape(-1, cfg.tokens(), cfg.patchValues());
    }

    /**
     * The text variant's trunk for repeated forward passes over the same texts (sampling): the
     * text enters as {@link #TEXT_KV} (and {@link #TEXT_POOL}), computed once by the full graph,
     * instead of as tokens that every pass would project again. Its weights are placeholders
     * for the full graph's, which the caller shares into it.
     */
    static SameDiff buildCachedText(DitConfig cfg) {
        if (!cfg.isText()) {
            throw new IllegalArgumentException("only the text variant has text features to cache");
        }
        DitGraph g = new DitGraph(cfg, 0, DataType.FLOAT, true, 0);
        g.define();
        return g.sd;
    }

    /** Name of the cross-attention weights output of block {@code i}. */
    public static String crossAttentionWeights(int block) {
        return "blocks." + block + ".cross_attn.weights";
    }

    private void define() {
        int d = cfg.embedDim();
        int n = tokens;
        DataType f = root.dtype();
        SDVariable x = sd.placeHolder(X, f, -1, cfg.inChannels(), cfg.imgSize(), cfg.imgSize());
        SDVariable t = sd.placeHolder(T, f, -1);
        if (!textFeaturesAsInput) {
            zerosRows = Broadcasts.zeros(sd, x, n, d);
            zerosTokens = Broadcasts.zeros(sd, x, 1, n, d);
        }

        SDVariable h = patchEmbed(x);                                                        // [B·N, D]
        SDVariable pos = root.constant("pos_embed", SinCos.positions2d(cfg.grid(), cfg.grid(), d));
        h = h.reshape(-1, cfg.tokens(), d).add(pos);                                         // [B, N, D]
        if (selectsTokens) {
            // one-hot rows as a batched product: its gradient is a product too (gather's is not safe, see class embed)
            SDVariable select = sd.placeHolder(TOKEN_SELECT, f, -1, n, cfg.tokens());
            h = sd.mmul(select, h);                                                          // [B, K, D]
        }
        h = h.reshape(-1, d);
        SDVariable c = timeEmbed(t);                                                         // [B, 4D]

        SDVariable[] keyValue = null;
        SDVariable keyBias = null;
        if (cfg.isText()) {
            // the text length is left to the data where padding may be cut off (see cutsTextPadding)
            int m = cutsTextPadding(cfg) ? Attention.KEYS_FROM_BIAS : cfg.contextLen();
            keyCount = m;
            int ctx = cfg.contextDim();
            SDVariable select = sd.placeHolder(CONTEXT_SELECT, f, -1, -1);                  // [B,U]
            SDVariable mask = sd.placeHolder(CONTEXT_MASK, f, -1, m);
            SDVariable textKv;
            SDVariable textPool = null;
            if (textFeaturesAsInput) {
                textKv = sd.placeHolder(TEXT_KV, f, -1, m < 0 ? -1 : (long) m * 2 * cfg.depth() * cfg.embedDim());
                textPool = cfg.textPool() ? sd.placeHolder(TEXT_POOL, f, -1, cfg.condDim()) : null;
            } else {
                SDVariable z = sd.placeHolder(CONTEXT, f, -1, m, ctx);                      // [U,M,ctx]
                SDVariable context = Linear.apply(root, "text_proj", z.reshape(-1, ctx), ctx, ctx); // [U·M, ctx]
                textKv = sd.identity(TEXT_KV, crossKeyValues(z, context));
                if (cfg.textPool()) {
                    // the mean over all M positions, padding included: after CLIP's causal attention
                    // those carry the whole caption too, and the mean needs no per-text mask
                    textPool = sd.identity(TEXT_POOL, Linear.apply(root, "text_pool_proj", z.mean(1), ctx,
                            cfg.condDim()));
                }
            }
            keyValue = perImageKeyValues(textKv, select);
            keyBias = Attention.keyPaddingBias(mask, m);                                     // [B,1,1,M]
            if (textPool != null) {
                c = c.add(sd.mmul(select, textPool));
            }
        } else if (cfg.isClass()) {
            SDVariable label = sd.placeHolder(LABEL, DataType.INT, -1);
            // one-hot × table instead of gather: gather's gradient drops repeated indices (docs/SAMEDIFF.md)
            SDVariable table = root.child("class_embed").normal("weight", 0.02, cfg.numClasses() + 1, cfg.condDim());
            c = c.add(sd.mmul(sd.oneHot(label, cfg.numClasses() + 1, -1, 1.0, 0.0, f), table));
        }
        // adaLN-Zero feeds SiLU(c) to every modulation; the reference feeds c as is
        SDVariable cMod = cfg.adalnZero() ? sd.nn.swish(c) : c;

        for (int i = 0; i < cfg.depth(); i++) {
            h = block(root.child("blocks", i), i, h, cMod, keyValue, keyBias);
        }

        h = LayerNorm.affine(root, "final_norm", h, d, EPS, zerosRows);
        h = Linear.apply(root, "final_proj", h, d, cfg.patchValues(), Linear.Init.ZERO, true);
        sd.identity(VELOCITY, selectsTokens ? h.reshape(-1, n, cfg.patchValues()) : unpatchify(h));
    }

    /** Conv2d(kernel = stride = p) as a matmul over flattened patches ordered (channel, row, col). */
    private SDVariable patchEmbed(SDVariable x) {
        int p = cfg.patchSize();
        int g = cfg.grid();
        int c = cfg.inChannels();
        long in = (long) c * p * p;
        SDVariable patches = x.reshape(-1, c, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(-1, in);
        ParamScope s = root.child("patch_embed").child("proj");
        SDVariable w = s.xavierWeight("weight", in, cfg.embedDim(), TorchLayout.CONV_AS_LINEAR,
                new long[] {cfg.embedDim(), c, p, p});
        SDVariable b = s.zeros("bias", TorchLayout.SAME, null, cfg.embedDim());
        return Linear.affine(root, patches, w, b);
    }

    /** [sin(t·f), cos(t·f)] with t in [0, 1] as is, then Linear → SiLU → Linear to 4D. */
    private SDVariable timeEmbed(SDVariable t) {
        int half = cfg.embedDim() / 2;
        SDVariable freqs = root.constant("time_freqs", SinCos.frequencies(half).reshape(1, half));
        SDVariable args = t.reshape(-1, 1).mul(freqs);
        SDVariable emb = sd.concat(1, sd.math.sin(args), sd.math.cos(args));
        ParamScope s = root.child("time_embed");
        SDVariable h = Linear.apply(s, "mlp.0", emb, cfg.embedDim(), cfg.condDim());
        h = Activations.apply(sd, "silu", h);
        return Linear.apply(s, "mlp.2", h, cfg.condDim(), cfg.condDim());
    }

    private SDVariable block(ParamScope s, int index, SDVariable h, SDVariable c, SDVariable[] keyValue,
            SDVariable keyBias) {
        int d = cfg.embedDim();
        int n = tokens;
        int heads = cfg.numHeads();
        Modulated m1 = modulate(s, "norm1", h, c);
        h = residual(h, m1.gate(Attention.selfAttentionFused(s, "self_attn", m1.x, n, heads, d, null)));
        if (cfg.isText()) {
            Modulated m2 = modulate(s, "norm2", h, c);
            ParamScope a = s.child("cross_attn");
            SDVariable q = Attention.scaledQueries(a, "q_proj", m2.x, d, heads);
            SDVariable k = keyValue[2 * index];
            SDVariable v = keyValue[2 * index + 1];
            sd.identity(crossAttentionWeights(index),
                    Attention.probabilities(sd, q, k, n, keyCount, heads, d, keyBias));
            SDVariable att = Attention.dotProduct(sd, q, k, v, n, keyCount, heads, d, keyBias);
            h = residual(h, m2.gate(Linear.apply(a, "out_proj", att, d, d)));
        }
        Modulated m3 = modulate(s, cfg.isText() ? "norm3" : "norm2", h, c);
        return residual(h, m3.gate(Mlp.apply(s, "mlp.0", "mlp.3", m3.x, d, cfg.mlpHidden(), "gelu")));
    }

    private static SDVariable residual(SDVariable h, SDVariable branch) {
        return h.add(branch);
    }

    /**
     * The keys and values of every block's cross-attention for the U distinct texts, [U, M·2·depth·D]
     * in block order (k0, v0, k1, v1, … per token). All of them project the same text tokens, so
     * they are one matrix product with the per-block weights side by side (the parameters keep
     * their per-block names).
     */
    private SDVariable crossKeyValues(SDVariable z, SDVariable context) {
        int d = cfg.embedDim();
        int ctx = cfg.contextDim();
        int count = 2 * cfg.depth();
        SDVariable[] weights = new SDVariable[count];
        SDVariable[] biases = new SDVariable[count];
        for (int i = 0; i < cfg.depth(); i++) {
            ParamScope a = root.child("blocks", i).child("cross_attn");
            for (int j = 0; j < 2; j++) {
                ParamScope p = a.child(j == 0 ? "k_proj" : "v_proj");
                weights[2 * i + j] = p.xavierWeight("weight", ctx, d, TorchLayout.TRANSPOSED, null);
                biases[2 * i + j] = p.zeros("bias", TorchLayout.SAME, null, d);
            }
        }
        // [U·M, 2·depth·D]
        SDVariable distinct = Linear.affine(root, context, sd.concat(1, weights), sd.concat(0, biases));
        if (keyCount != Attention.KEYS_FROM_BIAS) {
            return distinct.reshape(-1, (long) keyCount * count * d);                            // [U, M·2·depth·D]
        }
        SDVariable texts = sd.gather(sd.shape(z), new int[] {0}, 0);
        return sd.reshape(distinct, sd.concat(0, texts, sd.constant(Nd4j.createFromArray(-1L))));
    }

    /**
     * Whether the model's text length follows the batch: the cross-attention of the reference
     * gives padded text tokens exactly zero weight, so the padding columns that every text of a
     * batch has (all but a few of CLIP's 77 for short captions) can be left out with the same
     * result, and the cross-attention then costs a fraction. Not with {@code text_pool}, whose
     * mean runs over all positions, padding included.
     */
    public static boolean cutsTextPadding(DitConfig cfg) {
        return cfg.isText() && !cfg.textPool();
    }

    /** The distinct texts' keys and values handed to the B images by the selection matrix, split per block. */
    private SDVariable[] perImageKeyValues(SDVariable textKv, SDVariable select) {
        int count = 2 * cfg.depth();
        SDVariable perImage = sd.mmul(select, textKv);                                        // [B, M·2·depth·D]
        return sd.split(perImage.reshape(-1, (long) count * cfg.embedDim()), count, 1);
    }

    /**
     * AdaLN: LayerNorm without affine, then x·(1 + scale) + shift with [scale | shift] =
     * Linear(c); adaLN-Zero adds a gate (third chunk) and starts at zero.
     */
    private Modulated modulate(ParamScope s, String name, SDVariable h, SDVariable c) {
        int d = cfg.embedDim();
        int chunks = cfg.adalnZero() ? 3 : 2;
        SDVariable mod = Linear.apply(s.child(name), "proj", c, cfg.condDim(), (long) chunks * d,
                cfg.adalnZero() ? Linear.Init.ZERO : Linear.Init.XAVIER, true);
        SDVariable[] parts = sd.split(mod, chunks, 1);
        SDVariable scale = parts[0].reshape(-1, 1, d);
        SDVariable shift = parts[1].reshape(-1, 1, d);
        SDVariable normed = LayerNorm.plain(sd, h, d, EPS, zerosRows).reshape(-1, tokens, d);
        SDVariable x = Broadcasts.mul(normed, scale.add(1.0), zerosTokens).add(shift).reshape(-1, d);
        SDVariable gate = chunks == 3 ? parts[2].reshape(-1, 1, d) : null;
        return new Modulated(x, gate, zerosTokens, tokens, d);
    }

    private SDVariable unpatchify(SDVariable h) {
        int p = cfg.patchSize();
        int g = cfg.grid();
        int c = cfg.inChannels();
        return h.reshape(-1, g, g, p, p, c).permute(0, 5, 1, 3, 2, 4).reshape(-1, c, cfg.imgSize(), cfg.imgSize());
    }

    /** A modulated input and the optional gate for the residual branch it feeds. */
    private record Modulated(SDVariable x, SDVariable gateVector, SDVariable zerosTokens, int tokens, int width) {
        SDVariable gate(SDVariable branch) {
            if (gateVector == null) {
                return branch;
            }
            return Broadcasts.mul(branch.reshape(-1, tokens, width), gateVector, zerosTokens).reshape(-1, width);
        }
    }
}
