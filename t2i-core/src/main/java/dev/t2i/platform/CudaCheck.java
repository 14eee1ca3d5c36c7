package dev.t2i.platform;

import dev.t2i.T2iException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Refuses, with a one-line explanation, to start ND4J's CUDA backend on a GPU it has no kernels
 * for, or where there is no NVIDIA driver at all. The released {@code nd4j-cuda-11.6} 1.0.0-M2.1
 * carries machine code for compute capabilities 3.7, 5.0, 5.2, 6.0, 6.1, 7.0, 7.5, 8.0 and 8.6
 * and no PTX, so Hopper (H100, H200: 9.0) and newer fail inside native code ("no kernel image is
 * available"). Code for 8.6 also runs on 8.9 (same major version, higher minor). The GPU is asked
 * with {@code nvidia-smi}; {@code T2I_SKIP_GPU_CHECK=1} skips the check. Must run before anything
 * touches ND4J.
 */
public final class CudaCheck {
    private static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";
    /** Compute capabilities the released 11.6 build was compiled for, as major·10 + minor. */
    private static final int[] BUILT_FOR = {37, 50, 52, 60, 61, 70, 75, 80, 86};

    private CudaCheck() {
    }

    /** A GPU by name and compute capability. */
    public record Gpu(String name, int major, int minor) {
    }

    /** Throws a {@link T2iException} if the CUDA backend is in use and GPU 0 cannot run it. */
    public static void requireSupportedGpu() {
        refusal(cudaBackendPresent(), System.getenv("T2I_SKIP_GPU_CHECK") != null, CudaCheck::nvidiaSmi)
                .ifPresent(message -> {
                    throw new T2iException(message);
                });
    }

    /**
     * Why this process cannot run, or empty if it can: only a CUDA backend is checked, and only
     * then is {@code nvidiaSmi} asked (its first line, or null when there is no driver or GPU).
     */
    static Optional<String> refusal(boolean cudaBackend, boolean skip, Supplier<String> nvidiaSmi) {
        if (!cudaBackend || skip) {
            return Optional.empty();
        }
        String report = nvidiaSmi.get();
        if (report == null) {
            return Optional.of("this t2i.jar is the CUDA build (-Pcuda) but nvidia-smi finds no NVIDIA driver"
                    + " or GPU; run on the CPU with a build without -Pcuda (mvn -DskipTests package), or set"
                    + " T2I_SKIP_GPU_CHECK=1 to try anyway");
        }
        return parse(report).flatMap(CudaCheck::unsupported);
    }

    /** The reason ND4J's CUDA 11.6 build cannot run on {@code gpu}, or empty if it can. */
    public static Optional<String> unsupported(Gpu gpu) {
        for (int cc : BUILT_FOR) {
            if (cc / 10 == gpu.major() && cc % 10 <= gpu.minor()) {
                return Optional.empty();
            }
        }
        return Optional.of(String.format(Locale.ROOT, "the GPU %s (compute capability %d.%d) has no kernels in ND4J"
                + " 1.0.0-M2.1's CUDA 11.6 backend (built for 3.7 to 8.6, no PTX; Hopper and newer cannot run it);"
                + " run on the CPU instead: build without -Pcuda (mvn -DskipTests package) and use that t2i.jar",
                gpu.name(), gpu.major(), gpu.minor()));
    }

    /** Parses a line of {@code nvidia-smi --query-gpu=name,compute_cap --format=csv,noheader}. */
    public static Optional<Gpu> parse(String line) {
        int comma = line.lastIndexOf(',');
        if (comma < 0) {
            return Optional.empty();
        }
        String[] cc = line.substring(comma + 1).trim().split("\\.");
        try {
            return Optional.of(new Gpu(line.substring(0, comma).trim(), Integer.parseInt(cc[0]),
                    cc.length > 1 ? Integer.parseInt(cc[1]) : 0));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether ND4J's CUDA backend is on the classpath (looked up without loading it). */
    public static boolean cudaBackendPresent() {
        try {
            Class.forName(CUDA_BACKEND, false, CudaCheck.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * The first line of {@code nvidia-smi --query-gpu=name,compute_cap}, or null when the tool is
     * missing or fails (no driver, no GPU). A driver too old for the compute_cap field gives a line
     * that {@link #parse} rejects, and the check then lets ND4J try.
     */
    private static String nvidiaSmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=name,compute_cap", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isBlank()) {
                return null;
            }
            return out.lines().findFirst().orElse("");
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
