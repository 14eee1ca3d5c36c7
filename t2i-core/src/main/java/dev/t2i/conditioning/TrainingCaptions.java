package dev.t2i.conditioning;

import dev.t2i.LogText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The distinct captions a text-conditional model was trained on, as its run recorded them, and
 * what they say about a prompt.
 *
 * <p>Why: with the offline default ({@code --clip random}) the text tower is untrained, so the
 * DiT has learnt what its training captions mean and nothing else. A prompt that is not one of
 * them reaches it as unfamiliar tokens (with {@code text_centering}, far from the captions it
 * knows), and the samples may ignore it or be noise: "a dog" means nothing to a model trained on
 * "a photo of a dog". Prompts made of the captions' words in new combinations (the shapes demo's
 * held-out pairs) can still work, which is why this warns and never refuses. With a trained text
 * tower every prompt is meaningful and nothing is said.
 *
 * <p>Prompts are compared as CLIP's tokenizer sees them: case and runs of white space do not
 * matter.
 */
public final class TrainingCaptions {
    /** Most distinct captions a run records: past this, its data is open-vocabulary rather than a list. */
    public static final int MAX_RECORDED = 256;

    private static final TrainingCaptions UNKNOWN = new TrainingCaptions(List.of(), false);

    /** How many captions the run recorded (as recorded, not as normalised). */
    private final int count;
    private final boolean untrainedTextEncoder;
    /** Normalised caption → the caption as recorded. */
    private final Map<String, String> byKey = new LinkedHashMap<>();

    private TrainingCaptions(List<String> captions, boolean untrainedTextEncoder) {
        this.count = captions.size();
        this.untrainedTextEncoder = untrainedTextEncoder;
        for (String c : captions) {
            byKey.putIfAbsent(key(c), c);
        }
    }

    /**
     * The captions of a model.
     *
     * @param captions             the distinct training captions, or null or empty when the run
     *                             did not record them
     * @param untrainedTextEncoder whether the model reads prompts through an untrained text tower
     *                             ({@code random:SEED})
     */
    public static TrainingCaptions of(List<String> captions, boolean untrainedTextEncoder) {
        return captions == null || captions.isEmpty() ? UNKNOWN : new TrainingCaptions(captions, untrainedTextEncoder);
    }

    /**
     * The list a run records for data with these captions: the distinct ones in their order, or
     * null when there are more than {@value #MAX_RECORDED} (or none).
     */
    public static List<String> toRecord(List<String> dataCaptions) {
        List<String> distinct = dataCaptions.stream().distinct().limit(MAX_RECORDED + 1L).toList();
        return distinct.isEmpty() || distinct.size() > MAX_RECORDED ? null : distinct;
    }

    /** Whether {@code prompt} is one of the captions (ignoring case and white space). */
    public boolean contains(String prompt) {
        return prompt != null && byKey.containsKey(key(prompt));
    }

    /** The caption closest to {@code prompt} in edits of characters; empty when none are known. */
    public Optional<String> nearest(String prompt) {
        String k = key(prompt == null ? "" : prompt);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Map.Entry<String, String> e : byKey.entrySet()) {
            int d = editDistance(k, e.getKey(), bestDistance);
            if (d < bestDistance) {
                bestDistance = d;
                best = e.getValue();
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * A one-line warning when the model may not understand {@code prompt}: its text tower is
     * untrained, its captions are known and the prompt is not one of them. Empty otherwise.
     */
    public Optional<String> warning(String prompt) {
        if (!untrainedTextEncoder || count == 0 || contains(prompt)) {
            return Optional.empty();
        }
        return Optional.of("prompt '" + LogText.quote(prompt) + "' is not one of the " + count
                + " captions this model was trained on and its text encoder is untrained (clip random), so the"
                + " images may not follow it (new combinations of the captions' words can work); the nearest"
                + " caption is '" + LogText.quote(nearest(prompt).orElseThrow()) + "'");
    }

    /** A prompt as CLIP's tokenizer reads it, for comparing: lower case, white space runs as one space. */
    static String key(String text) {
        return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /**
     * Levenshtein distance of two strings, or {@code bound} (or more) as soon as it is known to reach
     * it: captions are short and at most {@value #MAX_RECORDED}, but prompts may be long.
     */
    static int editDistance(String a, String b, int bound) {
        if (Math.abs(a.length() - b.length()) >= bound) {
            return bound;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin >= bound) {
                return bound;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
