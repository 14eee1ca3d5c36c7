package dev.t2i.platform;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** Process-wide ND4J settings the commands apply before they build graphs. */
public final class Backend {
    /** Threads per native op, as last configured (null: never configured, 1 is used). */
    private static volatile Integer opThreads;

    private Backend() {
    }

    /** Whether {@link #configureThreads} has run in this process. */
    public static boolean configured() {
        return opThreads != null;
    }

    /** Threads each native op may use, as configured by {@link #configureThreads} (1 by default). */
    public static int opThreads() {
        Integer t = opThreads;
        if (t != null) {
            return t;
        }
        String env = System.getenv("OMP_NUM_THREADS");
        try {
            return env != null ? Math.max(1, Integer.parseInt(env.trim())) : 1;
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /**
     * Sets libnd4j's OpenMP thread count for the calling thread: OpenMP keeps it per thread, so
     * every thread that runs ops (see {@code runtime.Workers}) must set it.
     */
    public static void applyOpThreads(int threads) {
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }

    /** Whether ND4J runs on the CPU backend (not CUDA). */
    public static boolean isCpu() {
        return Nd4j.getBackend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT).contains("cpu");
    }

    /**
     * Sets the threads ND4J's native ops and BLAS may use: {@code requested}, else
     * {@code OMP_NUM_THREADS}, else what {@link CoreSplit#forMachine()} leaves each worker (one
     * thread per op up to {@value CoreSplit#MAX_WORKERS} cores: on small CPUs that is fastest for
     * these graphs of many mid-sized ops, where OpenMP start-up and memory traffic cost more than
     * the second core gains). {@code T2I_BLAS_THREADS}
     * sets the matrix products apart: on a 2-core machine with little other load, two BLAS threads
     * and one thread for everything else made the seed training step 4-8% faster, while two
     * threads for both were 30% slower (threads spinning against each other); under load neither
     * helped.
     */
    public static void configureThreads(Integer requested) {
        configureThreads(requested, envCount("T2I_BLAS_THREADS"));
    }

    /**
     * A positive count from the environment variable {@code name}, or null when it is unset; any
     * other value is refused with a line naming the variable (not a NumberFormatException).
     */
    public static Integer envCount(String name) {
        return count(name, System.getenv(name));
    }

    /** {@code v} as a positive count, null when null; anything else is refused naming {@code name}. */
    static Integer count(String name, String v) {
        if (v == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw new dev.t2i.T2iException(name + "=" + v + " is not a positive whole number (unset it or give e.g. 2)");
    }

    /** As {@link #configureThreads(Integer)} with an explicit BLAS thread count (null: the same). */
    public static void configureThreads(Integer requested, Integer blasThreads) {
        // before ND4J starts: its CUDA backend crashes in native code on GPUs it has no kernels for
        CudaCheck.requireSupportedGpu();
        int threads;
        if (requested != null) {
            threads = requested;
        } else if (System.getenv("OMP_NUM_THREADS") != null) {
            opThreads = opThreads();
            if (blasThreads != null) {
                Nd4j.factory().blas().setMaxThreads(blasThreads);
            }
            return;
        } else {
            threads = CoreSplit.forMachine().opThreads();
        }
        opThreads = threads;
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        // setMaxThreads does not reach the OpenMP runtime of libnd4j's loops in 1.0.0-M2.1; this does
        applyOpThreads(threads);
        // OpenBLAS keeps its own pool whose idle threads spin in the kernel between calls
        Nd4j.factory().blas().setMaxThreads(blasThreads != null ? blasThreads : threads);
    }

    /** A one-line description of the backend in use, e.g. for run provenance. */
    public static String describe() {
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        return backend + (isCpu() ? " (" + NativeBuild.current().id() + " build)" : "") + ", "
                + NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads() + " threads, BLAS "
                + Nd4j.factory().blas().getMaxThreads();
    }
}
