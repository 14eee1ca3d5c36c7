package dev.t2i.flow;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the trainer needs of a data set: images by index, with their captions and labels. */
public interface TrainingSet {
    /** Number of items. */
    int size();

    /** Channels, height and width of every image. */
    int[] imageShape();

    /** Images [B, C, H, W] scaled to [-1, 1]; row i flipped horizontally where {@code flip[i]}. */
    INDArray images(int[] indices, boolean[] flip);

    /** The caption of item i. */
    String caption(int index);

    /** The class label of item i, or -1 when the data has no classes. */
    int label(int index);

    /** A one-line description (source and size) for logs and provenance. */
    String description();

    /** The distinct captions, for fixed-prompt sample grids. */
    default List<String> distinctCaptions() {
        java.util.LinkedHashSet<String> s = new java.util.LinkedHashSet<>();
        for (int i = 0; i < size() && s.size() < 64; i++) {
            s.add(caption(i));
        }
        return List.copyOf(s);
    }
}
