package dev.t2i.data;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training batch drawn from {@link CaptionedImages}.
 *
 * @param images   float [B, 3, H, W] in [-1, 1]
 * @param captions one caption per image
 * @param labels   one class index per image; -1 where the data set has no classes
 * @param flipped  whether each image was mirrored left–right
 * @param indices  the data set indices the batch was drawn from
 */
public record Batch(INDArray images, List<String> captions, int[] labels, boolean[] flipped, int[] indices) {
    /** Number of images in the batch. */
    public int size() {
        return captions.size();
    }
}
