package dev.t2i.platform;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuFeaturesTest {
    @Test
    void bfloat16ProductsAreNativeWithTheirInstructionsOnly() {
        assertTrue(CpuFeatures.multipliesBfloat16(Set.of("fpu", "avx2", "avx512f", "avx512_bf16")), "Zen 4, Cooper Lake");
        assertTrue(CpuFeatures.multipliesBfloat16(Set.of("avx2", "amx_bf16", "amx_tile")), "Sapphire Rapids");
        assertTrue(CpuFeatures.multipliesBfloat16(Set.of("fp", "asimd", "bf16")), "ARMv8.6");
        assertFalse(CpuFeatures.multipliesBfloat16(Set.of("fpu", "avx2", "fma", "avx512f", "avx512bw")), "Skylake-SP");
        assertFalse(CpuFeatures.multipliesBfloat16(Set.of()), "/proc/cpuinfo unreadable");
    }
}
