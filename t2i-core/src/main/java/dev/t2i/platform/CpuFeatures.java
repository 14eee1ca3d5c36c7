package dev.t2i.platform;

import java.util.Locale;
import java.util.Set;

/** What the CPU can do that changes which number types pay, read from {@code /proc/cpuinfo}. */
public final class CpuFeatures {
    private CpuFeatures() {
    }

    /**
     * Whether matrix products in bfloat16 are native here: on the CPU backend, an x86 CPU with
     * AVX512_BF16 or AMX-BF16, or an ARM CPU with BF16; on any other backend, yes (the device
     * decides). Without it oneDNN emulates bf16 through single precision, slower than float32.
     */
    public static boolean multipliesBfloat16() {
        return !Backend.isCpu() || multipliesBfloat16(NativeBuild.cpuFlags());
    }

    /** {@link #multipliesBfloat16()} for these {@code /proc/cpuinfo} flags. */
    static boolean multipliesBfloat16(Set<String> flags) {
        return flags.stream().map(f -> f.toLowerCase(Locale.ROOT))
                .anyMatch(f -> f.equals("avx512_bf16") || f.equals("amx_bf16") || f.equals("bf16"));
    }
}
