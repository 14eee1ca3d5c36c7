package dev.t2i.conditioning;

import dev.t2i.clip.ClipOutput;
import dev.t2i.clip.ClipTextEncoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Captions through the frozen CLIP text tower: each distinct caption is encoded once and cached
 * (a data set such as CIFAR-10 has a handful), so training never runs CLIP per batch. The cache
 * belongs to one encoder, so its key is (encoder, caption). The null text is CLIP("") with its own
 * mask, or a negative prompt.
 */
public final class TextConditioner implements Conditioner {
    private final ClipTextEncoder encoder;
    private final Map<String, Encoded> cache = new ConcurrentHashMap<>();
    private final String nullText;

    private record Encoded(INDArray hidden, INDArray mask) {
    }

    public TextConditioner(ClipTextEncoder encoder) {
        this(encoder, "");
    }

    /** With {@code nullText} (a negative prompt) in place of the empty caption. */
    public TextConditioner(ClipTextEncoder encoder, String nullText) {
        this.encoder = encoder;
        this.nullText = nullText;
    }

    /** The same encoder and cache with another null text (negative prompt). */
    public TextConditioner withNullText(String text) {
        TextConditioner c = new TextConditioner(encoder, text == null ? "" : text);
        c.cache.putAll(cache);
        return c;
    }

    public ClipTextEncoder encoder() {
        return encoder;
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
        return new Conditioning(Nd4j.concat(0, hidden), Nd4j.concat(0, mask), null);
    }

    @Override
    public Conditioning nullCondition(int n) {
        return encode(Collections.nCopies(n, nullText), null, null);
    }

    @Override
    public String description() {
        return "CLIP text (" + encoder.description() + ")";
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
            ClipOutput out = encoder.encode(chunk);
            for (int i = 0; i < chunk.size(); i++) {
                cache.put(chunk.get(i), new Encoded(out.lastHiddenState().get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup(),
                        out.attentionMask().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1))
                                .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)));
            }
        }
    }
}
