package dev.t2i.platform;

import dev.t2i.T2iException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which of ND4J's CPU native builds runs. ND4J 1.0.0-M2.1 publishes libnd4j for x86-64 in six
 * builds (generic, AVX2, AVX-512, each also with oneDNN), as classifiers of
 * {@code nd4j-native}; JavaCPP loads the one named by the system property {@value #PROPERTY}
 * when its jar is on the classpath. {@link #select} picks, before ND4J loads, the fastest build
 * that is on the classpath and that the CPU can run, unless the user chose one.
 */
public enum NativeBuild {
    /** Runs everywhere (SSE only). */
    GENERIC("", "generic"),
    AVX2("-avx2", "avx2"),
    AVX512("-avx512", "avx512"),
    /** oneDNN (MKL-DNN) kernels for convolutions, matrix products and some element-wise ops. */
    ONEDNN("-onednn", "onednn"),
    ONEDNN_AVX2("-onednn-avx2", "onednn-avx2"),
    ONEDNN_AVX512("-onednn-avx512", "onednn-avx512");

    /** JavaCPP's system property for the build's suffix. */
    public static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** Environment variable that chooses a build by {@link #id()}. */
    public static final String ENV = "T2I_NATIVE_BUILD";
    /**
     * Preference when the user chose none, fastest first, as measured on a 2-core AMD EPYC with
     * AVX-512 (docs/PERFORMANCE.md, "Native builds"): every oneDNN build beat every plain one; a build missing
     * from the classpath or the CPU is skipped.
     */
    static final List<NativeBuild> PREFERENCE = List.of(ONEDNN_AVX512, ONEDNN_AVX2, ONEDNN, AVX2, AVX512, GENERIC);

    private final String suffix;
    private final String id;

    NativeBuild(String suffix, String id) {
        this.suffix = suffix;
        this.id = id;
    }

    /** The name in {@value #ENV} and messages. */
    public String id() {
        return id;
    }

    /** Whether this build runs oneDNN's kernels (convolutions, matrix products, pooling, batch norm). */
    public boolean hasOneDnn() {
        return suffix.startsWith("-onednn");
    }

    /** The classifier of {@code org.nd4j:nd4j-native} that holds this build. */
    public String classifier() {
        return "linux-x86_64" + suffix;
    }

    /** Whether this build's natives are on the classpath. */
    public boolean onClasspath() {
        return NativeBuild.class.getClassLoader().getResource(
                "org/nd4j/linalg/cpu/nativecpu/bindings/" + classifier() + "/libjnind4jcpu.so") != null;
    }

    /** Whether a CPU with these feature flags ({@code /proc/cpuinfo} names) runs this build. */
    public boolean runsOn(Set<String> cpuFlags) {
        if (suffix.endsWith("avx512")) {
            return cpuFlags.containsAll(List.of("avx512f", "avx512bw", "avx512dq", "avx512vl"));
        }
        if (suffix.endsWith("avx2")) {
            return cpuFlags.containsAll(List.of("avx2", "fma"));
        }
        return true;
    }

    /**
     * Chooses the build for this process and sets {@value #PROPERTY} accordingly; call it before
     * anything touches ND4J. An explicit {@value #PROPERTY} (e.g. {@code -D...=-avx2}) is kept;
     * {@value #ENV} names a build that must then be present and runnable; otherwise the first of
     * {@link #PREFERENCE} on the classpath that the CPU runs. Returns the build chosen, or empty
     * when the choice was left to JavaCPP (not Linux x86-64, or the property was set).
     */
    public static Optional<NativeBuild> select() {
        if (System.getProperty(PROPERTY) != null) {
            return Optional.empty();
        }
        if (!"linux".equals(os()) || !"amd64".equals(System.getProperty("os.arch"))) {
            return Optional.empty();
        }
        Set<String> flags = cpuFlags();
        NativeBuild chosen = choose(System.getenv(ENV), flags, NativeBuild::onClasspath);
        // also for the generic build: without the property JavaCPP loads whichever build of its
        // preset's list it finds first, not necessarily the generic one
        System.setProperty(PROPERTY, chosen.suffix);
        return Optional.of(chosen);
    }

    /** The build for a request ({@value #ENV}, null for none), CPU flags and what is on the classpath. */
    static NativeBuild choose(String requested, Set<String> flags, java.util.function.Predicate<NativeBuild> present) {
        if (requested != null && !requested.isBlank()) {
            NativeBuild b = Arrays.stream(values()).filter(v -> v.id.equals(requested.trim().toLowerCase(Locale.ROOT)))
                    .findFirst().orElseThrow(() -> new T2iException(ENV + "=" + requested + " is not a native build (use"
                            + " one of " + Arrays.stream(values()).map(NativeBuild::id).collect(Collectors.joining(", "))
                            + ")"));
            if (!b.runsOn(flags)) {
                throw new T2iException(ENV + "=" + b.id + " needs CPU instructions this CPU lacks (use generic or a"
                        + " build for an older instruction set)");
            }
            if (!present.test(b)) {
                throw new T2iException(ENV + "=" + b.id + " is not in this build (add org.nd4j:nd4j-native:1.0.0-M2.1"
                        + " with classifier " + b.classifier() + " to the classpath)");
            }
            return b;
        }
        return PREFERENCE.stream().filter(b -> b.runsOn(flags) && present.test(b)).findFirst().orElse(GENERIC);
    }

    /** The build JavaCPP will load in this process, from {@value #PROPERTY}. */
    public static NativeBuild current() {
        String suffix = System.getProperty(PROPERTY, "");
        return Arrays.stream(values()).filter(b -> b.suffix.equals(suffix)).findFirst().orElse(GENERIC);
    }

    private static String os() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    }

    /** The first CPU's feature flags from /proc/cpuinfo; empty (so: generic) where unreadable. */
    static Set<String> cpuFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> Set.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+")))
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }
}
