package dev.t2i.cli;

import dev.t2i.io.DiskFullException;
import dev.t2i.train.Checkpoint;
import dev.t2i.train.Trainer;
import dev.t2i.train.TrainingRun;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a training run to its end, turning Ctrl-C (or a kill) into a request to stop after the
 * current step; the checkpoint it then writes is named before the process exits.
 */
final class StopOnSignal {
    private StopOnSignal() {
    }

    /**
     * Trains {@code run}; an error removes the hook first, so nothing claims a checkpoint is coming.
     * A full disk ends in a {@link DiskFullException} that says how to continue.
     */
    static void train(TrainingRun run) {
        Trainer trainer = run.trainer();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            run.requestStop();
            System.err.println("\nstopping: writing a checkpoint after the current step...");
            try {
                if (finished.await(120, TimeUnit.SECONDS) && trainer.lastCheckpoint() != null) {
                    System.err.println("stopped at step " + trainer.step() + "; checkpoint " + trainer.lastCheckpoint()
                            + " (continue with --resume)");
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run.train();
        } catch (RuntimeException e) {
            removeHook(hook);
            DiskFullException full = DiskFullException.find(e);
            throw full == null ? e : full.withAdvice(afterDiskFull(run.runDir()));
        } catch (Error e) {
            removeHook(hook);
            throw e;
        } finally {
            finished.countDown();
        }
        removeHook(hook);
    }

    /**
     * What to do once a full disk stopped the run: every checkpoint is written atomically, so the
     * newest one on disk is complete and {@code --resume} continues from it.
     */
    static String afterDiskFull(Path runDir) {
        Path newest = Checkpoint.newest(runDir);
        return newest == null ? "free space and run the same command again (no checkpoint was complete yet)"
                : "free space and rerun with --resume; it continues from " + newest.getFileName();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook is running and waits for the trainer
        }
    }
}
