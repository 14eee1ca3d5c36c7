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
    void theCpuBackendIsNeverRefused() {
        Assumptions.assumeFalse(CudaCheck.cudaBackendPresent(), "a -Pcuda build");
        CudaCheck.requireSupportedGpu();
    }
}
