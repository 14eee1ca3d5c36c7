package dev.t2i.server;

import dev.t2i.api.GenerationProgress;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.ProgressListener;
import dev.t2i.image.Images;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One asynchronous generation behind {@code /v1/jobs/{id}}: its future, the last step it
 * reported and a preview PNG of its first image at that step.
 */
final class Job implements ProgressListener {
    private final String id;
    private final long createdMillis;
    private final int images;
    private volatile CompletableFuture<GenerationResult> future;
    private volatile int step;
    private volatile int totalSteps;
    private volatile byte[] preview;
    private volatile long finishedMillis;

    Job(String id, int images) {
        this.id = id;
        this.images = images;
        this.createdMillis = System.currentTimeMillis();
    }

    void start(CompletableFuture<GenerationResult> f) {
        this.future = f;
        f.whenComplete((r, e) -> {
            finishedMillis = System.currentTimeMillis();
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            // a bad request and a cancellation are the client's; anything else is the server's
            if (cause != null && !(cause instanceof CancellationException) && !(cause instanceof IllegalArgumentException)
                    && !(cause instanceof dev.t2i.T2iException) && !(cause instanceof IllegalStateException)) {
                ServerErrors.logged(null, "job " + id + " failed", cause);
            }
        });
    }

    @Override
    public void onProgress(GenerationProgress p) {
        totalSteps = p.totalSteps();
        // previews cost an image conversion: only every step of small runs, else about 20 per job
        if (p.step() == 1 || p.step() == p.totalSteps() || p.step() % Math.max(1, p.totalSteps() / 20) == 0) {
            preview = Images.pngBytes(p.preview().get(0));
        }
        step = p.step();
    }

    String id() {
        return id;
    }

    int images() {
        return images;
    }

    long createdMillis() {
        return createdMillis;
    }

    CompletableFuture<GenerationResult> future() {
        return future;
    }

    int step() {
        return step;
    }

    int totalSteps() {
        return totalSteps;
    }

    byte[] preview() {
        return preview;
    }

    boolean finished() {
        CompletableFuture<GenerationResult> f = future;
        return f != null && f.isDone();
    }

    /** When it finished, or 0 while it has not. */
    long finishedMillis() {
        if (!finished()) {
            return 0;
        }
        // done, but the completion callback that records the time has not run yet: it finished
        // just now (a placeholder time of 1 made the store expire such a job at once, and a
        // client polling it got 404 for a job that had just succeeded)
        long t = finishedMillis;
        return t != 0 ? t : System.currentTimeMillis();
    }

    /** queued, running, succeeded, failed or cancelled. */
    String status() {
        CompletableFuture<GenerationResult> f = future;
        if (!f.isDone()) {
            return step == 0 ? "queued" : "running";
        }
        if (f.isCancelled()) {
            return "cancelled";
        }
        return f.isCompletedExceptionally() ? "failed" : "succeeded";
    }

    /** The result when it succeeded, else null. */
    GenerationResult result() {
        CompletableFuture<GenerationResult> f = future;
        return f.isDone() && !f.isCompletedExceptionally() ? f.join() : null;
    }

    /** Why it failed, or null. */
    String error() {
        CompletableFuture<GenerationResult> f = future;
        if (!f.isDone() || f.isCancelled() || !f.isCompletedExceptionally()) {
            return null;
        }
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            return c.getMessage() != null ? c.getMessage() : c.toString();
        } catch (CancellationException e) {
            return null;
        }
    }
}
