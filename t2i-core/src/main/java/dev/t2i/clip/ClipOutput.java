package dev.t2i.clip;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the text encoder produces for a batch of prompts.
 *
 * @param inputIds        token ids, LONG [B, L]
 * @param attentionMask   1 for real tokens, 0 for padding, LONG [B, L]
 * @param lastHiddenState token embeddings after the final layer norm [B, L, W] (what the DiT attends to)
 * @param pooled          the EOS-position row [B, W]
 * @param textEmbeds      projection of the pooled row [B, P]
 */
public record ClipOutput(INDArray inputIds, INDArray attentionMask, INDArray lastHiddenState, INDArray pooled,
        INDArray textEmbeds) {
}
