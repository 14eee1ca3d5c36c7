package dev.t2i.dit;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The text inputs of a batch with repeated texts stored once. A training batch of CIFAR-10 holds
 * 64 images but only ten captions and the null text, and a guided sampling batch repeats the null
 * text for every image; the text projection and the cross-attention keys and values are then
 * computed for the distinct texts only and handed to each image by a one-hot selection matrix (a
 * matrix product, whose gradient sums over the images that share a text, unlike gather's).
 */
public final class TextContext {
    private TextContext() {
    }

    /**
     * The placeholders {@link DitGraph#CONTEXT} [U, M, ctx] (distinct rows of {@code context}, in
     * order of first appearance), {@link DitGraph#CONTEXT_SELECT} [B, U] and
     * {@link DitGraph#CONTEXT_MASK} [B, M], in the data type of {@code context}.
     *
     * @param context [B, M, ctx] text tokens per image
     * @param mask    [B, M] key mask per image (1 keep, 0 pad)
     */
    public static Map<String, INDArray> inputs(INDArray context, INDArray mask) {
        return inputs(context, mask, false);
    }

    /**
     * As {@link #inputs(INDArray, INDArray)}; with {@code cutPadding}, the token positions after
     * the last one that any text of the batch attends to are left out of context and mask (for
     * graphs whose text length follows the data, {@link DitGraph#cutsTextPadding}).
     */
    public static Map<String, INDArray> inputs(INDArray context, INDArray mask, boolean cutPadding) {
        if (cutPadding) {
            long used = usedLength(mask);
            if (used < mask.size(1)) {
                context = context.get(NDArrayIndex.all(), NDArrayIndex.interval(0, used), NDArrayIndex.all());
                mask = mask.get(NDArrayIndex.all(), NDArrayIndex.interval(0, used)).dup('c');
            }
        }
        INDArray c = context.isView() || context.ordering() != 'c' ? context.dup('c') : context;
        int b = (int) c.size(0);
        long rowBytes = c.length() / b * c.dataType().width();
        ByteBuffer all = c.data().asNio();
        List<Integer> firsts = new ArrayList<>();
        int[] which = new int[b];
        for (int i = 0; i < b; i++) {
            ByteBuffer row = slice(all, i, rowBytes);
            which[i] = -1;
            for (int u = 0; u < firsts.size() && which[i] < 0; u++) {
                if (row.mismatch(slice(all, firsts.get(u), rowBytes)) < 0) {
                    which[i] = u;
                }
            }
            if (which[i] < 0) {
                which[i] = firsts.size();
                firsts.add(i);
            }
        }
        int u = firsts.size();
        INDArray distinct = Nd4j.create(c.dataType(), u, c.size(1), c.size(2));
        INDArray select = Nd4j.zeros(c.dataType(), b, u);
        for (int k = 0; k < u; k++) {
            distinct.get(NDArrayIndex.point(k)).assign(c.get(NDArrayIndex.point(firsts.get(k))));
        }
        for (int i = 0; i < b; i++) {
            select.putScalar(i, which[i], 1.0);
        }
        Map<String, INDArray> in = new HashMap<>();
        in.put(DitGraph.CONTEXT, distinct);
        in.put(DitGraph.CONTEXT_SELECT, select);
        in.put(DitGraph.CONTEXT_MASK, mask.castTo(c.dataType()));
        return in;
    }

    /** One past the last position that any row of the [B, M] mask keeps; at least 1. */
    static long usedLength(INDArray mask) {
        INDArray kept = mask.neq(0).castTo(mask.dataType()).max(0);   // [M]: 1 where some text attends
        long used = 1;
        for (long j = kept.length() - 1; j >= 1; j--) {
            if (kept.getDouble(j) != 0) {
                used = j + 1;
                break;
            }
        }
        return used;
    }

    private static ByteBuffer slice(ByteBuffer all, int row, long rowBytes) {
        return all.slice(Math.toIntExact(row * rowBytes), Math.toIntExact(rowBytes));
    }
}
