package dev.t2i.runtime;

/**
 * Process-wide memory care for a process whose main job is t2i: the command line opts in, and
 * so may an application that owns its process, through
 * {@code TrainingRun.Builder.housekeeping(ProcessHousekeeping::afterStep)}. Library code never
 * calls it by itself: it trims glibc's arenas, runs full collections and lowers G1's
 * heap-free ratios, all of which a host application may want to decide for itself.
 *
 * <p>Why a trainer's process wants it: with every leak fixed a {@code cifar-cpu} run still held
 * 2.8 GB without trims against 1.1-1.2 GB with them, since glibc keeps what the steps' threads
 * free in per-thread arenas and ND4J's buffers come from there ({@link NativeHeap}); and the Java
 * heap that G1 grew while a checkpoint or grid was written stays committed until a full
 * collection gives it back ({@link JavaHeap}).
 */
public final class ProcessHousekeeping {
    private ProcessHousekeeping() {
    }

    /**
     * Collects and trims once a minute on a daemon thread, for a long-lived process such as
     * {@code t2i serve} whose work comes as requests rather than steps: the Java heap a burst of
     * requests grew, and what their threads freed into glibc's arenas, go back to the system.
     * A full collection of a server's small heap takes well under a second.
     */
    public static void everyMinute() {
        java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "t2i-housekeeping");
                    t.setDaemon(true);
                    return t;
                });
        timer.scheduleWithFixedDelay(() -> {
            // the trim returns what the previous minute's collection freed
            NativeHeap.trim();
            JavaHeap.collect();
        }, 1, 1, java.util.concurrent.TimeUnit.MINUTES);
    }

    /**
     * After a training step, once its arrays are freed: a native trim at most once a second,
     * and a full collection with a trim at most once a minute. Costs nothing between those.
     */
    public static void afterStep() {
        NativeHeap.trimAfterStep();
        NativeHeap.trimNowAndThen();
    }
}
