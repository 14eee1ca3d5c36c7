package dev.t2i.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NativeBuildTest {
    private static final Set<String> AVX512 = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw",
            "avx512dq", "avx512vl");
    private static final Set<String> AVX2 = Set.of("sse4_2", "avx", "avx2", "fma");
    private static final Set<String> OLD = Set.of("sse4_2", "avx");

    @Test
    void theFastestPresentBuildTheCpuRunsIsChosen() {
        EnumSet<NativeBuild> all = EnumSet.allOf(NativeBuild.class);
        assertEquals(NativeBuild.ONEDNN_AVX512, NativeBuild.choose(null, AVX512, all::contains));
        assertEquals(NativeBuild.ONEDNN_AVX2, NativeBuild.choose(null, AVX2, all::contains));
        assertEquals(NativeBuild.ONEDNN, NativeBuild.choose(null, OLD, all::contains), "no AVX2: no AVX2 build");
        assertEquals(NativeBuild.GENERIC, NativeBuild.choose(null, AVX512, b -> b == NativeBuild.GENERIC),
                "only the generic build on the classpath");
        assertEquals(NativeBuild.ONEDNN, NativeBuild.choose("", Set.of(), all::contains), "unknown CPU: no AVX");
    }

    @Test
    void aRequestedBuildMustExistRunAndBePresent() {
        EnumSet<NativeBuild> all = EnumSet.allOf(NativeBuild.class);
        assertEquals(NativeBuild.AVX2, NativeBuild.choose("avx2", AVX512, all::contains));
        assertEquals(NativeBuild.GENERIC, NativeBuild.choose("GENERIC", AVX512, all::contains));
        T2iException unknown = assertThrows(T2iException.class, () -> NativeBuild.choose("fast", AVX512, all::contains));
        assertTrue(unknown.getMessage().contains("onednn-avx2"), unknown.getMessage());
        T2iException cpu = assertThrows(T2iException.class, () -> NativeBuild.choose("avx512", AVX2, all::contains));
        assertTrue(cpu.getMessage().contains("lacks"), cpu.getMessage());
        T2iException missing = assertThrows(T2iException.class,
                () -> NativeBuild.choose("onednn-avx512", AVX512, b -> b == NativeBuild.GENERIC));
        assertTrue(missing.getMessage().contains("linux-x86_64-onednn-avx512"), missing.getMessage());
    }

    @Test
    void theGenericBuildIsOnTheTestClasspathAndThisCpuIsRead() {
        assertTrue(NativeBuild.GENERIC.onClasspath());
        if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            assertTrue(NativeBuild.cpuFlags().contains("sse2"), "flags read from /proc/cpuinfo");
        }
    }
}
