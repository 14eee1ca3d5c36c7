package dev.t2i.cli;

import dev.t2i.train.Trainer;
import dev.t2i.train.TrainingRun;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a training run to its end, turning Ctrl-C (or a kill) into a request to stop after the
 * current step; the checkpoint it then writes is named before the process exits.
 */
final class StopOnSignal {
    private StopOnSignal() {
    }

    /** Trains {@code run}; an error removes the hook first, so nothing claims a checkpoint is coming. */
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
        } catch (RuntimeException | Error e) {
            removeHook(hook);
            throw e;
        } finally {
            finished.countDown();
        }
        removeHook(hook);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook is running and waits for the trainer
        }
    }
}
