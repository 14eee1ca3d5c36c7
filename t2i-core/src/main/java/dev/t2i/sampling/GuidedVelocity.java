package dev.t2i.sampling;

import dev.t2i.conditioning.Conditioning;
import dev.t2i.dit.DitNetwork;
import dev.t2i.runtime.NativeArrays;
import dev.t2i.runtime.Workers;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Classifier-free guidance v = v_u + w·(v_c - v_u), with the conditional and unconditional
 * passes run as one batch of 2B per step (the reference runs them one after the other).
 * With w = 1 only the conditional pass is needed and only it runs; so it is at the times outside
 * a {@link GuidanceInterval}, where the velocity is the conditional one. The images are cut into
 * shards that run on the {@link Workers} side by side, and the text of each shard is prepared once
 * ({@link DitNetwork#prepareText}): its cross-attention keys and values do not change between steps.
 */
public final class GuidedVelocity implements VelocityField, AutoCloseable {
    /** Fewest images per shard worth their own thread. */
    private static final int MIN_SHARD_ROWS = 2;

    private final DitNetwork model;
    private final double scale;
    private final GuidanceInterval interval;
    private final long batch;
    private final Workers workers;
    private final int shards;
    /**
     * Whether the conditional and the null pass run on two workers side by side instead of as
     * one batch: when there are fewer images than would give every worker a shard (one image,
     * the server's usual request, would otherwise leave all cores but one idle).
     */
    private final boolean splitPasses;
    /**
     * Per shard: the text it evaluates (its conditional rows, then its null rows under guidance;
     * with {@link #splitPasses}: all conditional rows, then all null rows), prepared once for all
     * steps.
     */
    private final List<DitNetwork.PreparedText> shardText;
    /**
     * Per shard, where guidance stops at some times and each shard's text holds both passes: its
     * conditional rows alone, for those times; else null.
     */
    private final List<DitNetwork.PreparedText> shardConditionalText;
    /** The caller's arrays, which a prepared text may hold as they are and {@link #close} must leave open. */
    private final java.util.Set<INDArray> callersArrays =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /**
     * Guidance at every time.
     *
     * @param cond   conditioning of the B images
     * @param uncond null (or negative-prompt) conditioning of the same B images
     * @param scale  guidance scale w
     */
    public GuidedVelocity(DitNetwork model, Conditioning cond, Conditioning uncond, double scale) {
        this(model, cond, uncond, scale, GuidanceInterval.FULL);
    }

    /**
     * @param cond     conditioning of the B images
     * @param uncond   null (or negative-prompt) conditioning of the same B images
     * @param scale    guidance scale w
     * @param interval the times at which it applies
     */
    public GuidedVelocity(DitNetwork model, Conditioning cond, Conditioning uncond, double scale,
            GuidanceInterval interval) {
        this.model = model;
        this.scale = scale;
        this.interval = interval;
        for (Conditioning c : List.of(cond, uncond)) {
            for (INDArray a : new INDArray[] {c.context(), c.mask(), c.labels()}) {
                if (a != null) {
                    callersArrays.add(a);
                }
            }
        }
        this.batch = cond.batch();
        this.workers = Workers.shared();
        // shards of the images run side by side (see Workers), each with its own guidance pair
        int byImages = batch < 0 ? 1 : workers.shardsFor(batch, MIN_SHARD_ROWS);
        this.splitPasses = guided() && byImages == 1 && workers.count() >= 2;
        if (splitPasses) {
            this.shards = 2;
            this.shardText = workers.map(2, i -> {
                Conditioning c = i == 0 ? cond : uncond;
                return model.prepareText(c.context(), c.mask(), c.labels());
            });
            this.shardConditionalText = null;
            return;
        }
        this.shards = byImages;
        this.shardText = workers.map(shards, i -> {
            Conditioning c = cond.shard(shards, i);
            Conditioning both = guided() ? c.concat(uncond.shard(shards, i)) : c;
            return model.prepareText(both.context(), both.mask(), both.labels());
        });
        this.shardConditionalText = !guided() || interval.full() ? null : workers.map(shards, i -> {
            Conditioning c = cond.shard(shards, i);
            return model.prepareText(c.context(), c.mask(), c.labels());
        });
    }

    @Override
    public INDArray velocity(INDArray x, double t) {
        if (splitPasses && !interval.contains(t)) {
            return conditional(x, t, shardText.get(0));
        }
        if (splitPasses) {
            List<INDArray> v = workers.map(2, i -> {
                INDArray times = Nd4j.valueArrayOf(x.size(0), (float) t);
                INDArray out = model.velocity(x, times, shardText.get(i));
                NativeArrays.closeAll(List.of(times));
                return out;
            });
            INDArray guided = guide(v.get(0), v.get(1));
            NativeArrays.closeAll(v);
            return guided;
        }
        // outside the interval, a guided field runs the conditional pass alone
        boolean guideNow = !guided() || interval.contains(t);
        if (shards == 1) {
            return guideNow ? velocity(x, t, shardText.get(0)) : conditional(x, t, shardConditionalText.get(0));
        }
        List<INDArray> parts = workers.map(shards, i -> {
            INDArray rows = Workers.shardRows(x, shards, i);   // a copy (more than one shard here)
            INDArray v = guideNow ? velocity(rows, t, shardText.get(i))
                    : conditional(rows, t, shardConditionalText.get(i));
            rows.close();
            return v;
        });
        INDArray v = Nd4j.concat(0, parts.toArray(new INDArray[0]));
        NativeArrays.closeAll(parts);
        return v;
    }

    /** The velocity of {@code x} under {@code text} alone: one pass, no guidance. */
    private INDArray conditional(INDArray x, double t, DitNetwork.PreparedText text) {
        INDArray times = Nd4j.valueArrayOf(x.size(0), (float) t);
        INDArray v = model.velocity(x, times, text);
        NativeArrays.closeAll(List.of(times));
        return v;
    }

    private INDArray velocity(INDArray x, double t, DitNetwork.PreparedText text) {
        long b = x.size(0);
        if (!guided()) {
            return conditional(x, t, text);
        }
        INDArray x2 = Nd4j.concat(0, x, x);
        INDArray times = Nd4j.valueArrayOf(2 * b, (float) t);
        INDArray v = model.velocity(x2, times, text);
        INDArray guided = guide(v.get(NDArrayIndex.interval(0, b)), v.get(NDArrayIndex.interval(b, 2 * b)));
        NativeArrays.closeAll(List.of(x2, times, v));
        return guided;
    }

    /** v_u + w·(v_c − v_u), as a new array. */
    private INDArray guide(INDArray vc, INDArray vu) {
        INDArray difference = vc.sub(vu);
        INDArray guided = vu.add(difference.muli(scale));
        NativeArrays.closeAll(List.of(difference));
        return guided;
    }

    /**
     * Frees the text prepared for the shards (keys and values of every block), but not the
     * conditioning it was given, which stays the caller's; the field is unusable afterwards.
     */
    @Override
    public void close() {
        List<DitNetwork.PreparedText> all = new java.util.ArrayList<>(shardText);
        if (shardConditionalText != null) {
            all.addAll(shardConditionalText);
        }
        for (DitNetwork.PreparedText text : all) {
            if (text.features() != null) {
                NativeArrays.closeAll(text.features().values().stream().filter(a -> !callersArrays.contains(a))
                        .toList());
            }
        }
    }

    private boolean guided() {
        return scale != 1.0 && batch >= 0;
    }
}
