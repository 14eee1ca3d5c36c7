package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head scaled dot-product attention, the one implementation shared by the CLIP text
 * encoder and the DiT. Activations are 2-D, [batch·tokens, width]; the token counts are fixed
 * when the graph is built, the batch stays dynamic.
 */
public final class Attention {
    /** Additive bias for masked keys; large enough that softmax gives them exactly zero weight. */
    public static final double MASKED = -1e9;

    /**
     * A key count of {@code tk} that is left to the data: the keys are [B·tk, width] for a tk
     * read from the bias, [B, 1, 1, tk], which must then be given. Text whose padding is cut
     * off per batch has such a count.
     */
    public static final int KEYS_FROM_BIAS = -1;

    private Attention() {
    }

    /**
     * softmax(q·kᵀ + bias)·v over heads, for queries already multiplied by {@link #scale}
     * (projections fold the scale into their weights).
     *
     * @param q    [B·tq, width] projected, scaled queries
     * @param k    [B·tk, width] projected keys
     * @param v    [B·tk, width] projected values
     * @param bias additive bias broadcastable to [B, heads, tq, tk], or null
     * @return [B·tq, width], heads concatenated (before the output projection)
     */
    public static SDVariable dotProduct(SameDiff sd, SDVariable q, SDVariable k, SDVariable v, int tq, int tk,
            int heads, int width, SDVariable bias) {
        int headDim = width / heads;
        SDVariable weights = probabilities(sd, q, k, tq, tk, heads, width, bias);      // [B,H,tq,tk]
        SDVariable out = sd.mmul(weights, splitKeyHeads(sd, v, tk, heads, headDim, bias)); // [B,H,tq,hd]
        return out.permute(0, 2, 1, 3).reshape(-1, width);
    }

    /** The query scale 1/√(head width). */
    public static double scale(int width, int heads) {
        return 1.0 / Math.sqrt(width / heads);
    }

    /** softmax(q·kᵀ + bias) for scaled queries, [B, heads, tq, tk]. */
    public static SDVariable probabilities(SameDiff sd, SDVariable q, SDVariable k, int tq, int tk, int heads,
            int width, SDVariable bias) {
        int headDim = width / heads;
        SDVariable scores = sd.mmul(splitHeads(q, tq, heads, headDim), splitKeyHeads(sd, k, tk, heads, headDim, bias),
                false, true, false);
        return sd.nn.softmax(bias == null ? scores : scores.add(bias), -1);
    }

    /**
     * Self-attention with a fused in-projection ({@code in_proj_weight} [3W, W] and
     * {@code in_proj_bias} in PyTorch's nn.MultiheadAttention naming) and {@code out_proj}. The
     * query scale is applied to the query columns of the weight and bias (a few thousand values)
     * rather than to the projected queries (a value per token and channel).
     */
    public static SDVariable selfAttentionFused(ParamScope scope, String name, SDVariable x, int tokens, int heads,
            int width, SDVariable bias) {
        ParamScope s = scope.child(name);
        SDVariable w = s.xavierWeight("in_proj_weight", width, 3L * width, TorchLayout.TRANSPOSED, null);
        SDVariable b = s.zeros("in_proj_bias", TorchLayout.SAME, null, 3L * width);
        float[] columns = new float[3 * width];
        java.util.Arrays.fill(columns, 0, width, (float) scale(width, heads));
        java.util.Arrays.fill(columns, width, 3 * width, 1f);
        INDArray colScale = org.nd4j.linalg.factory.Nd4j.createFromArray(columns).castTo(scope.dtype());
        // the weight's scale at the weight's full shape: the gradient of a broadcasting multiply
        // (multiply_bp) is about ten times slower than a same-shape one's
        SDVariable weightScale = scope.sd().constant(colScale.reshape(1, 3L * width).repeat(0, width));
        SDVariable qkvProj = Linear.affine(scope, x, w.mul(weightScale), b.mul(scope.sd().constant(colScale)));
        SDVariable[] qkv = scope.sd().split(qkvProj, 3, 1);
        SDVariable out = dotProduct(scope.sd(), qkv[0], qkv[1], qkv[2], tokens, tokens, heads, width, bias);
        return Linear.apply(s, "out_proj", out, width, width);
    }

    /**
     * Attention with separate {@code q_proj}, {@code k_proj}, {@code v_proj}, {@code out_proj}
     * (Hugging Face CLIP and the DiT's cross-attention); keys and values come from {@code kv}.
     */
    public static SDVariable separateProjections(ParamScope scope, String name, SDVariable x, SDVariable kv,
            int tq, int tk, int heads, int width, int kvWidth, SDVariable bias) {
        ParamScope s = scope.child(name);
        SDVariable q = scaledQueries(s, "q_proj", x, width, heads);
        SDVariable k = Linear.apply(s, "k_proj", kv, kvWidth, width);
        SDVariable v = Linear.apply(s, "v_proj", kv, kvWidth, width);
        SDVariable out = dotProduct(scope.sd(), q, k, v, tq, tk, heads, width, bias);
        return Linear.apply(s, "out_proj", out, width, width);
    }

    /**
     * A query projection ({@code name.weight}, {@code name.bias}, width → width) whose output is
     * already multiplied by {@link #scale}: the scale goes on the weight and bias.
     */
    public static SDVariable scaledQueries(ParamScope scope, String name, SDVariable x, int width, int heads) {
        ParamScope p = scope.child(name);
        SDVariable w = p.xavierWeight("weight", width, width, TorchLayout.TRANSPOSED, null);
        SDVariable b = p.zeros("bias", TorchLayout.SAME, null, width);
        double s = scale(width, heads);
        return Linear.affine(scope, x, w.mul(s), b.mul(s));
    }

    /**
     * Turns a [B, tk] key mask (1 keep, 0 pad) into an additive bias [B, 1, 1, tk]; tk may be
     * {@link #KEYS_FROM_BIAS}, the mask's own length.
     */
    public static SDVariable keyPaddingBias(SDVariable mask, int tk) {
        SDVariable bias = mask.sub(1.0).mul(-MASKED);
        if (tk == KEYS_FROM_BIAS) {
            SameDiff sd = mask.getSameDiff();
            return sd.expandDims(sd.expandDims(bias, 1), 1);
        }
        return bias.reshape(-1, 1, 1, tk);
    }

    private static SDVariable splitHeads(SDVariable x, int tokens, int heads, int headDim) {
        return x.reshape(-1, tokens, heads, headDim).permute(0, 2, 1, 3);
    }

    private static SDVariable splitKeyHeads(SameDiff sd, SDVariable x, int tokens, int heads, int headDim,
            SDVariable bias) {
        if (tokens != KEYS_FROM_BIAS) {
            return splitHeads(x, tokens, heads, headDim);
        }
        if (bias == null) {
            throw new IllegalArgumentException("keys counted from the bias need a bias");
        }
        // [B, tk] from the bias's [B, 1, 1, tk]: two sizes the graph only learns from the data
        SDVariable imagesAndKeys = sd.gather(sd.shape(bias), new int[] {0, 3}, 0);
        SDVariable shape = sd.concat(0, imagesAndKeys,
                sd.constant(org.nd4j.linalg.factory.Nd4j.createFromArray((long) heads, headDim)));
        return sd.reshape(x, shape).permute(0, 2, 1, 3);
    }
}
