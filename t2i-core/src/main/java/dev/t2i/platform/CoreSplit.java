package dev.t2i.platform;

/**
 * How the cores of a machine are shared out: {@code workers} threads each run a shard of a batch
 * (data parallelism inside the process) and each native op of a worker may use
 * {@code opThreads} threads.
 *
 * <p>Why workers first and op threads only past {@value #MAX_WORKERS} workers: side-by-side
 * shards with one-threaded ops keep cores busy without the start-up and spinning of OpenMP
 * regions, which cost more than a second thread gains on these mid-sized ops (measured on 2
 * cores, docs/PERFORMANCE.md, "Cores: workers and threads per op"). Shards smaller than a quarter of the seed
 * batch make every op less efficient per image, so past {@value #MAX_WORKERS} workers the extra
 * cores go to the ops of each worker instead: 16 cores run as 4 workers of 4 threads.
 *
 * @param workers   threads that run shards of a batch side by side
 * @param opThreads threads each native op (and matrix product) of a worker may use
 */
public record CoreSplit(int workers, int opThreads) {
    /** Most workers chosen without being asked. */
    public static final int MAX_WORKERS = 4;
    /** The environment variable that asks for a number of workers; read only by {@link #requestedWorkers()}. */
    public static final String WORKERS_ENV = "T2I_WORKERS";
    /** The environment variable that asks for threads per op; read only by {@link #requestedOpThreads()}. */
    public static final String OP_THREADS_ENV = "T2I_THREADS";

    public CoreSplit {
        if (workers < 1 || opThreads < 1) {
            throw new IllegalArgumentException("workers and threads per op must be at least 1, got " + workers
                    + " and " + opThreads);
        }
    }

    /**
     * The split for {@code cores} cores; {@code workers} or {@code opThreads} (null: not asked)
     * fix one side, and the other then takes what is left of the cores.
     */
    public static CoreSplit of(int cores, Integer workers, Integer opThreads) {
        int c = Math.max(1, cores);
        int w = workers != null ? workers : Math.max(1, Math.min(MAX_WORKERS, c / (opThreads != null ? opThreads : 1)));
        int t = opThreads != null ? opThreads : Math.max(1, c / w);
        return new CoreSplit(w, t);
    }

    /**
     * This machine's split: its available cores, with {@code T2I_WORKERS} and {@code T2I_THREADS}
     * where set (a value that is not a positive whole number is refused with a one-line error).
     */
    public static CoreSplit forMachine() {
        return of(Runtime.getRuntime().availableProcessors(), requestedWorkers(), requestedOpThreads());
    }

    /**
     * The workers asked for with {@code T2I_WORKERS}, or null when it is unset. The one place
     * that reads the variable: a value that is not a positive whole number is refused with a
     * one-line {@link dev.t2i.T2iException} ({@code T2I_WORKERS=x is not a positive whole
     * number ...}).
     */
    public static Integer requestedWorkers() {
        return Backend.envCount(WORKERS_ENV);
    }

    /**
     * The threads per op asked for with {@code T2I_THREADS}, or null when it is unset; refused
     * as {@link #requestedWorkers()} refuses a bad value. The one place that reads the variable.
     */
    public static Integer requestedOpThreads() {
        return Backend.envCount(OP_THREADS_ENV);
    }
}
