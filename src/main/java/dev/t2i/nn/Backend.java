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
     * the second core gains); an explicit {@code OMP_NUM_THREADS} wins.
     */
    public static void configureThreads(Integer requested) {
        int threads;
        if (requested != null) {
            threads = requested;
        } else if (System.getenv("OMP_NUM_THREADS") != null) {
            return;
        } else {
            threads = 1;
        }
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        // setMaxThreads does not reach the OpenMP runtime of libnd4j's loops in 1.0.0-M2.1; this does
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        // OpenBLAS keeps its own pool whose idle threads spin in the kernel between calls
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** Newest compute capability (major) the released ND4J CUDA 11.6 backend has kernels for. */
    static final int NEWEST_SUPPORTED_MAJOR = 8;

    /**
     * With the CUDA backend on the classpath, checks every GPU's compute capability before any
     * kernel runs: the released ND4J 1.0.0-M2.1 CUDA 11.6 build carries machine code up to
     * sm_86 and no PTX, so on Hopper (sm_90, H100/H200) or newer every kernel would fail deep in
     * native code. Returns null when all is well, else a one-line message with the fix.
     */
    public static String unsupportedGpu() {
        if (!Nd4j.getBackend().getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT).contains("cublas")) {
            return null;
        }
        Object devices = Nd4j.getExecutioner().getEnvironmentInformation().get("cuda.devicesInformation");
        if (!(devices instanceof java.util.List<?> list)) {
            return null;
        }
        for (Object d : list) {
            if (d instanceof java.util.Map<?, ?> m && m.get("cuda.deviceMajor") != null) {
                int major = Integer.parseInt(String.valueOf(m.get("cuda.deviceMajor")));
                if (major > NEWEST_SUPPORTED_MAJOR) {
                    return "this GPU (" + m.get("cuda.deviceName") + ", compute capability " + major + "."
                            + m.get("cuda.deviceMinor") + ") has no kernels in ND4J's CUDA 11.6 backend, which"
                            + " supports GPUs up to Ampere (8.x); build without -Pcuda to run on the CPU";
                }
            }
        }
        return null;
    }

    /** A one-line description of the backend in use, e.g. for run provenance. */
    public static String describe() {
        return Nd4j.getBackend().getClass().getSimpleName() + ", "
                + NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads() + " threads";
    }
}
