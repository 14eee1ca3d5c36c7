package dev.t2i.conditioning;

import dev.t2i.clip.ClipOutput;
import dev.t2i.clip.ClipTextEncoder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captions through the frozen CLIP text tower: each distinct caption is encoded once and cached
 * (a data set such as CIFAR-10 has a handful), so training never runs CLIP per batch. The cache
 * belongs to one encoder, so its key is (encoder, caption). The null text is CLIP("") with its own
 * mask, or a negative prompt.
 */
public final class TextConditioner implements Conditioner {
    private static final Logger LOG = LoggerFactory.getLogger(TextConditioner.class);
    private final EncoderSlot slot;
    private final String description;
    private final Map<String, Encoded> cache = new ConcurrentHashMap<>();
    private final String nullText;
    private final int contextLen;
    /** Whether captions run through the whole tower and are then cropped (training), not a tower cut to contextLen. */
    private final boolean wholeTower;

    private record Encoded(INDArray hidden, INDArray mask) {
    }

    /** All of CLIP's tokens (77), as the reference DiT attends to them. */
    public TextConditioner(ClipTextEncoder encoder) {
        this(encoder, "", encoder.config().maxPositions(), false);
    }

    /**
     * Keeps the first {@code contextLen} tokens of every caption. Padding is masked out of the
     * cross-attention, so dropping padded positions changes nothing but the cost; a caption with
     * more real tokens than that is truncated with a warning.
     */
    public TextConditioner(ClipTextEncoder encoder, int contextLen) {
        this(encoder, "", contextLen, false);
    }

    private TextConditioner(ClipTextEncoder encoder, String nullText, int contextLen, boolean wholeTower) {
        this(new EncoderSlot(encoder), "CLIP text (" + encoder.description() + ")", nullText,
                Math.min(contextLen, encoder.config().maxPositions()), wholeTower);
    }

    private TextConditioner(EncoderSlot slot, String description, String nullText, int contextLen,
            boolean wholeTower) {
        this.slot = slot;
        this.description = description;
        this.nullText = nullText;
        this.contextLen = contextLen;
        this.wholeTower = wholeTower;
    }

    /**
     * The conditioner training uses: captions run through all of CLIP's positions and are then
     * cropped to {@code contextLen}, as in every earlier release, instead of through a tower cut
     * to {@code contextLen} ({@link ClipTextEncoder#encodePrefix}). The two agree to float
     * rounding (7·10⁻⁷), but training amplifies any difference: a resumed run continues on
     * exactly the conditioning it started with, and a preset's measured results stay
     * reproducible. The cost is nil there, since training encodes each distinct caption once.
     */
    public static TextConditioner forTraining(ClipTextEncoder encoder, int contextLen) {
        return new TextConditioner(encoder, "", contextLen, true);
    }

    /** The same encoder and cache with another null text (negative prompt). */
    public TextConditioner withNullText(String text) {
        TextConditioner c = new TextConditioner(slot, description, text == null ? "" : text, contextLen, wholeTower);
        c.cache.putAll(cache);
        return c;
    }

    /** The encoder, loaded again first if {@link #encodeAllAndRelease} freed it. */
    public ClipTextEncoder encoder() {
        return slot.get();
    }

    /**
     * Encodes {@code texts} and the null text now, then frees the encoder's weights until a text
     * outside the cache needs it, when {@code reload} loads it again. Training on a fixed caption
     * set (CIFAR-10: ten captions and the null text) then does not keep CLIP's weights and buffers
     * alive: 340 MB less peak memory for the full-size ViT-B/32 tower while the seed model trains.
     */
    public void encodeAllAndRelease(Collection<String> texts, Supplier<ClipTextEncoder> reload) {
        List<String> all = new ArrayList<>(texts);
        all.add(nullText);
        warm(all);
        slot.release(reload);
    }

    /** Whether the encoder's weights are in memory (false after {@link #encodeAllAndRelease}, until needed). */
    public boolean encoderLoaded() {
        return slot.loaded();
    }

    @Override
    public Conditioning encode(List<String> captions, int[] labels, boolean[] drop) {
        List<String> texts = new ArrayList<>(captions.size());
        for (int i = 0; i < captions.size(); i++) {
            texts.add(drop != null && drop[i] ? nullText : captions.get(i));
        }
        warm(texts);
        INDArray[] hidden = new INDArray[texts.size()];
        INDArray[] mask = new INDArray[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            Encoded e = cache.get(texts.get(i));
            hidden[i] = e.hidden;
            mask[i] = e.mask;
        }
        // always new arrays, never a cached one (concat of one array may return it): callers may close them
        return new Conditioning(fresh(hidden), fresh(mask), null);
    }

    private static INDArray fresh(INDArray[] rows) {
        return rows.length == 1 ? rows[0].dup() : Nd4j.concat(0, rows);
    }

    @Override
    public Conditioning nullCondition(int n) {
        return encode(Collections.nCopies(n, nullText), null, null);
    }

    @Override
    public String description() {
        return description;
    }

    /** How many captions are cached. */
    public int cachedCaptions() {
        return cache.size();
    }

    /** Forgets every cached encoding: a server sees an unbounded number of distinct prompts. */
    public void clearCache() {
        cache.clear();
    }

    /** Encodes the captions not cached yet, in batches of 64. */
    public void warm(List<String> texts) {
        List<String> missing = texts.stream().distinct().filter(t -> !cache.containsKey(t)).toList();
        for (int from = 0; from < missing.size(); from += 64) {
            List<String> chunk = missing.subList(from, Math.min(missing.size(), from + 64));
            // only the positions the model reads (exact by CLIP's causal mask, a fraction of the
            // cost), except for training (see forTraining)
            ClipOutput out = wholeTower ? cropped(slot.get().encode(chunk), chunk)
                    : slot.get().encodePrefix(chunk, contextLen);
            for (int i = 0; i < chunk.size(); i++) {
                INDArrayIndex row = NDArrayIndex.interval(i, i + 1);
                cache.put(chunk.get(i), new Encoded(
                        out.lastHiddenState().get(row, NDArrayIndex.all(), NDArrayIndex.all()).dup(),
                        out.attentionMask().get(row, NDArrayIndex.all()).castTo(DataType.FLOAT).dup()));
            }
        }
    }

    /** All positions' output cut to the first contextLen, warning about captions with more tokens. */
    private ClipOutput cropped(ClipOutput out, List<String> chunk) {
        for (int i = 0; i < chunk.size(); i++) {
            ClipTextEncoder.warnIfCut(chunk.get(i), out.attentionMask().getRow(i).sumNumber().longValue(), contextLen);
        }
        INDArrayIndex keep = NDArrayIndex.interval(0, contextLen);
        return new ClipOutput(out.inputIds().get(NDArrayIndex.all(), keep).dup(),
                out.attentionMask().get(NDArrayIndex.all(), keep).dup(),
                out.lastHiddenState().get(NDArrayIndex.all(), keep, NDArrayIndex.all()).dup(), null, null);
    }

    /** The encoder, shared with the copies {@link #withNullText} makes, and how to load it once released. */
    private static final class EncoderSlot {
        private ClipTextEncoder encoder;
        private Supplier<ClipTextEncoder> reload;

        EncoderSlot(ClipTextEncoder encoder) {
            this.encoder = encoder;
        }

        synchronized ClipTextEncoder get() {
            if (encoder == null) {
                LOG.debug("loading the text encoder again for a caption that was not encoded up front");
                encoder = reload.get();
            }
            return encoder;
        }

        synchronized void release(Supplier<ClipTextEncoder> reloadWith) {
            this.reload = reloadWith;
            if (encoder != null) {
                encoder.release();
                encoder = null;
            }
        }

        synchronized boolean loaded() {
            return encoder != null;
        }
    }
}
