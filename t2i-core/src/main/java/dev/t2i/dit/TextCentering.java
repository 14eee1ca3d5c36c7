package dev.t2i.dit;

import dev.t2i.T2iException;
import dev.t2i.io.TensorFormatException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fixed affine map of the text tokens that a DiT with {@code text_centering} applies before it
 * reads them: the mean token of each position over the training captions is subtracted, and the
 * result divided by one scale, the root mean square of the centred tokens of those captions.
 * Fitted once, before the first training step, and stored with the model.
 *
 * <p>Why: an untrained CLIP tower (the offline default) maps every caption to nearly the same
 * tokens. Its 12 random layers wash token identity out (the hidden states of "a photo of a cat"
 * and "... dog" at the differing positions have cosine 0.97, and their position means 0.99), so
 * what tells two captions apart is a few percent of what the DiT's text projections see, and
 * learning to read it is that much slower. The map changes nothing the DiT can express (its first
 * text projections are affine), only how fast it learns: after it, the differences between the
 * training captions are of unit size. With real CLIP weights it is not needed, and presets leave it
 * off there.
 */
public final class TextCentering {
    static final String MEAN = "mean";
    static final String SCALE = "scale";
    /** Below this spread the captions are taken as one (a data set with a single caption): no scaling. */
    private static final double MIN_SCALE = 1e-6;

    private final INDArray mean;
    private final float scale;

    private TextCentering(INDArray mean, float scale) {
        this.mean = mean;
        this.scale = scale;
    }

    /**
     * Fits the map to the tokens of a data set's distinct captions.
     *
     * @param contexts [U, M, ctx] the text tokens of U distinct captions (the null text left out)
     */
    public static TextCentering fit(INDArray contexts) {
        if (contexts.rank() != 3 || contexts.size(0) < 1) {
            throw new T2iException("text centring is fitted to [captions, tokens, width] text tokens, got "
                    + Arrays.toString(contexts.shape()));
        }
        INDArray x = contexts.castTo(DataType.DOUBLE);
        INDArray mean = x.mean(0);                                                  // [M, ctx]
        double rms = Math.sqrt(squaredMean(x, mean));
        // a float, as the file stores it: a resumed run reads exactly the tokens it trained on
        return new TextCentering(mean.castTo(DataType.FLOAT), rms < MIN_SCALE ? 1f : (float) rms);
    }

    /** The mean of the squared differences between each caption's tokens and the mean tokens. */
    private static double squaredMean(INDArray x, INDArray mean) {
        double sum = 0;
        for (long u = 0; u < x.size(0); u++) {
            INDArray d = x.slice(u).sub(mean);
            sum += d.mul(d).sumNumber().doubleValue();
        }
        return sum / x.length();
    }

    /** The tokens as the DiT reads them: {@code (context - mean) / scale}, a new array. */
    public INDArray apply(INDArray context) {
        if (context.rank() != 3 || context.size(1) != mean.size(0) || context.size(2) != mean.size(1)) {
            throw new T2iException("text tokens of shape " + Arrays.toString(context.shape())
                    + " do not fit the model's text centring [" + mean.size(0) + ", " + mean.size(1) + "]");
        }
        INDArray out = context.castTo(DataType.FLOAT).dup('c');
        for (long b = 0; b < out.size(0); b++) {
            out.slice(b).subi(mean);
        }
        return out.divi(scale);
    }

    /** The mean token of each position, [M, ctx]. */
    public INDArray mean() {
        return mean;
    }

    /** The root mean square of the centred training tokens. */
    public float scale() {
        return scale;
    }

    /** The two tensors as a model file stores them. */
    Map<String, INDArray> tensors() {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put(MEAN, mean);
        t.put(SCALE, Nd4j.createFromArray(scale));
        return t;
    }

    /** Reads what {@link #tensors} wrote, checking it fits a model of {@code cfg}. */
    static TextCentering fromTensors(Map<String, INDArray> t, DitConfig cfg, String part) {
        INDArray mean = t.get(MEAN);
        INDArray scale = t.get(SCALE);
        if (mean == null || scale == null || scale.length() != 1
                || !Arrays.equals(mean.shape(), new long[] {cfg.contextLen(), cfg.contextDim()})) {
            throw new TensorFormatException("part '" + part + "' of the model file is not a text centring for "
                    + cfg.contextLen() + " tokens of width " + cfg.contextDim());
        }
        float s = scale.getFloat(0);
        if (!(s > 0) || Float.isInfinite(s)) {
            throw new TensorFormatException("part '" + part + "' of the model file has scale " + s
                    + " (must be positive)");
        }
        return new TextCentering(mean.castTo(DataType.FLOAT), s);
    }
}
