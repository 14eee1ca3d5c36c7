package dev.t2i.conditioning;

import dev.t2i.runtime.Workers;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The conditioning inputs of a DiT batch: text tokens and their mask (text variant), class
 * labels (class variant), or nothing (unconditional).
 *
 * @param context [B, M, ctx] or null
 * @param mask    [B, M] (1 keep, 0 pad) or null
 * @param labels  [B] or null
 */
public record Conditioning(INDArray context, INDArray mask, INDArray labels) {
    /** No conditioning (unconditional model). */
    public static final Conditioning NONE = new Conditioning(null, null, null);

    /** Rows of this batch followed by the rows of another (for one-batch classifier-free guidance). */
    public Conditioning concat(Conditioning other) {
        return new Conditioning(cat(context, other.context), cat(mask, other.mask), cat(labels, other.labels));
    }

    /** Each row repeated {@code n} times in place (prompt 0 ×n, prompt 1 ×n, …). */
    public Conditioning repeatRows(int n) {
        return new Conditioning(rep(context, n), rep(mask, n), rep(labels, n));
    }

    /** The rows of shard {@code i} of {@code shards} (see {@link Workers#shardRows}); this itself for one shard. */
    public Conditioning shard(int shards, int i) {
        return shards == 1 ? this : new Conditioning(rows(context, shards, i), rows(mask, shards, i),
                rows(labels, shards, i));
    }

    /** The batch size, or -1 for no conditioning. */
    public long batch() {
        return context != null ? context.size(0) : labels != null ? labels.size(0) : -1;
    }

    private static INDArray cat(INDArray a, INDArray b) {
        return a == null ? null : Nd4j.concat(0, a, b);
    }

    private static INDArray rows(INDArray a, int shards, int i) {
        return a == null ? null : Workers.shardRows(a, shards, i);
    }

    private static INDArray rep(INDArray a, int n) {
        return a == null || n == 1 ? a : Nd4j.repeat(a, n);
    }
}
