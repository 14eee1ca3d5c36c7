package dev.t2i.api;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a running request is: its step out of the total, and on demand a preview of its images.
 * Valid only during the {@link ProgressListener#onProgress} call that received it.
 */
public final class GenerationProgress {
    private final int step;
    private final int totalSteps;
    private final Supplier<List<BufferedImage>> preview;
    private volatile boolean valid = true;

    GenerationProgress(int step, int totalSteps, Supplier<List<BufferedImage>> preview) {
        this.step = step;
        this.totalSteps = totalSteps;
        this.preview = preview;
    }

    /** The step being taken, 1 to {@link #totalSteps()}. */
    public int step() {
        return step;
    }

    /** Steps of the whole request. */
    public int totalSteps() {
        return totalSteps;
    }

    /** Fraction done, in (0, 1]. */
    public double fraction() {
        return (double) step / totalSteps;
    }

    /**
     * The current estimate of the request's clean images (x − t·v at this step), in request
     * order; computed when asked for, so listeners that do not ask pay nothing.
     *
     * @throws IllegalStateException after the listener call returned (the step's arrays are gone)
     */
    public List<BufferedImage> preview() {
        if (!valid) {
            throw new IllegalStateException("a preview can only be taken inside onProgress");
        }
        return preview.get();
    }

    void invalidate() {
        valid = false;
    }

    @Override
    public String toString() {
        return "step " + step + "/" + totalSteps;
    }
}
