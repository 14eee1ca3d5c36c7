package dev.t2i.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CudaCheckTest {
    @Test
    void hopperIsRefusedAndAmpereOrAdaAccepted() {
        CudaCheck.Gpu h100 = CudaCheck.parse("NVIDIA H100 80GB HBM3, 9.0").orElseThrow();
        assertEquals(new CudaCheck.Gpu("NVIDIA H100 80GB HBM3", 9, 0), h100);
        String message = CudaCheck.unsupported(h100).orElseThrow();
        assertTrue(message.contains("9.0") && message.contains("CPU") && !message.contains("\n"), message);
        assertTrue(CudaCheck.unsupported(new CudaCheck.Gpu("H200", 9, 0)).isPresent());
        assertFalse(CudaCheck.unsupported(new CudaCheck.Gpu("A100", 8, 0)).isPresent());
        assertFalse(CudaCheck.unsupported(new CudaCheck.Gpu("RTX 3090", 8, 6)).isPresent());
        assertFalse(CudaCheck.unsupported(new CudaCheck.Gpu("L4", 8, 9)).isPresent());
        assertFalse(CudaCheck.unsupported(new CudaCheck.Gpu("T4", 7, 5)).isPresent());
        assertTrue(CudaCheck.unsupported(new CudaCheck.Gpu("K40", 3, 5)).isPresent());
    }

    @Test
    void unreadableOutputGivesNoGpu() {
        assertTrue(CudaCheck.parse("No devices were found").isEmpty());
        assertTrue(CudaCheck.parse("GPU, N/A").isEmpty());
    }

    @Test
    void theCpuBackendIsNeverRefusedNorDoesItAskTheDriver() {
        assertTrue(CudaCheck.refusal(false, false, () -> {
            throw new AssertionError("nvidia-smi must not run for the CPU backend");
        }).isEmpty());
        Assumptions.assumeFalse(CudaCheck.cudaBackendPresent(), "a -Pcuda build");
        CudaCheck.requireSupportedGpu();
    }

    @Test
    void theCudaBackendIsRefusedOnHopperOrWithoutADriverUnlessSkipped() {
        String hopper = CudaCheck.refusal(true, false, () -> "NVIDIA H200, 9.0").orElseThrow();
        assertTrue(hopper.contains("compute capability 9.0"), hopper);
        String noDriver = CudaCheck.refusal(true, false, () -> null).orElseThrow();
        assertTrue(noDriver.contains("no NVIDIA driver") && noDriver.contains("T2I_SKIP_GPU_CHECK"), noDriver);
        assertTrue(CudaCheck.refusal(true, false, () -> "NVIDIA A100-SXM4-80GB, 8.0").isEmpty());
        assertTrue(CudaCheck.refusal(true, true, () -> "NVIDIA H200, 9.0").isEmpty(), "T2I_SKIP_GPU_CHECK");
        // a driver too old for compute_cap: ND4J is let through to try
        assertTrue(CudaCheck.refusal(true, false, () -> "NVIDIA A100, [N/A]").isEmpty());
    }
}
