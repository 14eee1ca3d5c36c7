package dev.t2i.api;

/**
 * Told after every integration step of a request, on the model's worker thread: keep it short
 * (a preview costs one image conversion per image). An exception it throws is ignored; cancel
 * through the future that {@link TextToImage#submit(GenerationRequest, ProgressListener)} returned.
 */
@FunctionalInterface
public interface ProgressListener {
    /** Step {@code progress.step()} of {@code progress.totalSteps()} is being taken. */
    void onProgress(GenerationProgress progress);
}
