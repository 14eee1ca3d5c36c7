package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Multi-head scaled dot-product attention, the one implementation shared by the CLIP text
 * encoder and the DiT. Activations are 2-D, [batch·tokens, width]; the token counts are fixed
 * when the graph is built, the batch stays dynamic.
 */
public final class Attention {
    /** Additive bias for masked keys; large enough that softmax gives them exactly zero weight. */
    public static final double MASKED = -1e9;

    private Attention() {
    }

    /**
     * softmax(q·kᵀ/√d + bias)·v over heads.
     *
     * @param q    [B·tq, width] projected queries
     * @param k    [B·tk, width] projected keys
     * @param v    [B·tk, width] projected values
     * @param bias additive bias broadcastable to [B, heads, tq, tk], or null
     * @return [B·tq, width], heads concatenated (before the output projection)
     */
    public static SDVariable scaledDotProduct(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, int tq, int tk,
            int heads, int width, SDVariable bias) {
        int headDim = width / heads;
        SDVariable qh = splitHeads(q.mul(1.0 / Math.sqrt(headDim)), tq, heads, headDim); // [B,H,tq,hd]
        SDVariable kh = splitHeads(k, tk, heads, headDim);                               // [B,H,tk,hd]
        SDVariable vh = splitHeads(v, tk, heads, headDim);                               // [B,H,tk,hd]
        SDVariable scores = sd.mmul(qh, kh, false, true, false);                         // [B,H,tq,tk]
        if (bias != null) {
            scores = scores.add(bias);
        }
        SDVariable weights = sd.nn.softmax(scores, -1);
        SDVariable out = sd.mmul(weights, vh);                                           // [B,H,tq,hd]
        return out.permute(0, 2, 1, 3).reshape(-1, width);
    }

    /**
     * The attention weights alone, [B, heads, tq, tk] (for attention maps); same maths as
     * {@link #scaledDotProduct}.
     */
    public static SDVariable weights(SameDiff sd, SDVariable q, SDVariable k, int tq, int tk, int heads, int width,
            SDVariable bias) {
        int headDim = width / heads;
        SDVariable scores = sd.mmul(splitHeads(q.mul(1.0 / Math.sqrt(headDim)), tq, heads, headDim),
                splitHeads(k, tk, heads, headDim), false, true, false);
        return sd.nn.softmax(bias == null ? scores : scores.add(bias), -1);
    }

    /**
     * Self-attention with a fused in-projection ({@code in_proj_weight} [3W, W] and
     * {@code in_proj_bias} in PyTorch's nn.MultiheadAttention naming) and {@code out_proj}.
     */
    public static SDVariable selfAttentionFused(ParamScope scope, String name, SDVariable x, int tokens, int heads,
            int width, SDVariable bias) {
        ParamScope s = scope.child(name);
        SDVariable w = s.xavierWeight("in_proj_weight", width, 3L * width, TorchLayout.TRANSPOSED, null);
        SDVariable b = s.zeros("in_proj_bias", TorchLayout.SAME, null, 3L * width);
        SDVariable[] qkv = scope.sd().split(Linear.affine(scope, x, w, b, 3L * width), 3, 1);
        SDVariable out = scaledDotProduct(scope.sd(), qkv[0], qkv[1], qkv[2], tokens, tokens, heads, width, bias);
        return Linear.apply(s, "out_proj", out, width, width);
    }

    /**
     * Attention with separate {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code out_proj}
     * (Hugging Face CLIP and the DiT's cross-attention); keys and values come from {@code kv}.
     */
    public static SDVariable separateProjections(ParamScope scope, String name, SDVariable x, SDVariable kv,
            int tq, int tk, int heads, int width, int kvWidth, SDVariable bias) {
        ParamScope s = scope.child(name);
        SDVariable q = Linear.apply(s, "q_proj", x, width, width);
        SDVariable k = Linear.apply(s, "k_proj", kv, kvWidth, width);
        SDVariable v = Linear.apply(s, "v_proj", kv, kvWidth, width);
        SDVariable out = scaledDotProduct(scope.sd(), q, k, v, tq, tk, heads, width, bias);
        return Linear.apply(s, "out_proj", out, width, width);
    }

    /**
     * Turns a [B, tk] key mask (1 keep, 0 pad) into an additive bias [B, 1, 1, tk].
     */
    public static SDVariable keyPaddingBias(SDVariable mask, int tk) {
        return mask.sub(1.0).mul(-MASKED).reshape(-1, 1, 1, tk);
    }

    private static SDVariable splitHeads(SDVariable x, int tokens, int heads, int headDim) {
        return x.reshape(-1, tokens, heads, headDim).permute(0, 2, 1, 3);
    }
}
