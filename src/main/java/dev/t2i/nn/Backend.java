package dev.t2i.nn;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** Process-wide ND4J settings the commands apply before they build graphs. */
public final class Backend {
    private Backend() {
    }

    /**
     * Sets the threads ND4J's native ops and BLAS may use. On small CPUs one thread per op is fastest for
     * these graphs (many mid-sized ops, where OpenMP start-up and memory traffic cost more than
     * the second core gains); an explicit {@code OMP_NUM_THREADS} wins. {@code T2I_BLAS_THREADS}
     * sets the matrix products apart: on a 2-core machine with little other load, two BLAS threads
     * and one thread for everything else made the seed training step 4-8% faster, while two
     * threads for both were 30% slower (threads spinning against each other); under load neither
     * helped.
     */
    public static void configureThreads(Integer requested) {
        configureThreads(requested, System.getenv("T2I_BLAS_THREADS") == null ? null
                : Integer.valueOf(System.getenv("T2I_BLAS_THREADS")));
    }

    /** As {@link #configureThreads(Integer)} with an explicit BLAS thread count (null: the same). */
    public static void configureThreads(Integer requested, Integer blasThreads) {
        // before ND4J starts: its CUDA backend crashes in native code on GPUs it has no kernels for
        CudaCheck.requireSupportedGpu();
        int threads;
        if (requested != null) {
            threads = requested;
        } else if (System.getenv("OMP_NUM_THREADS") != null) {
            if (blasThreads != null) {
                Nd4j.factory().blas().setMaxThreads(blasThreads);
            }
            return;
        } else {
            threads = 1;
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        // setMaxThreads does not reach the OpenMP runtime of libnd4j's loops in 1.0.0-M2.1; this does
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        // OpenBLAS keeps its own pool whose idle threads spin in the kernel between calls
        Nd4j.factory().blas().setMaxThreads(blasThreads != null ? blasThreads : threads);
    }

    /** A one-line description of the backend in use, e.g. for run provenance. */
    public static String describe() {
        return Nd4j.getBackend().getClass().getSimpleName() + ", "
                + NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads() + " threads, BLAS "
                + Nd4j.factory().blas().getMaxThreads();
    }
}
