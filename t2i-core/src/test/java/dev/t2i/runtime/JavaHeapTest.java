package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link JavaHeap#collect()} in a child JVM of its own ({@link JavaHeapChild}, G1, 512 MB at most),
 * since the flags it sets are process-wide: this test JVM's flags stay as they are. The committed
 * heap after a full collection follows from the live size and the free-ratio flags, not from the
 * machine's load.
 */
class JavaHeapTest {
    @Test
    void collectsAndLetsTheHeapShrink() throws Exception {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        List<VMOption> flagsBefore = List.of(vm.getVMOption("MinHeapFreeRatio"), vm.getVMOption("MaxHeapFreeRatio"));

        Map<String, Long> tuned = child("tuned");
        Map<String, Long> plain = child("plain");

        // 100 MB live and 200 MB dropped: the heap had grown to hold all 300
        assertTrue(tuned.get("filled_mb") >= 300, "filled: " + tuned);
        assertEquals(100, tuned.get("live_mb"));
        // JavaHeap.collect lowers the ratios to 10/30 % free, so the heap shrinks to at most
        // live / 0.7 (100 MB of arrays, 109 with their headers: 156 MB)
        assertEquals(10, tuned.get("MinHeapFreeRatio"));
        assertEquals(30, tuned.get("MaxHeapFreeRatio"));
        assertTrue(tuned.get("collected_mb") <= 170, "shrank to " + tuned.get("collected_mb") + " MB: " + tuned);
        assertTrue(tuned.get("collected_mb") >= 100, "the live 100 MB stay: " + tuned);
        // a plain System.gc() with the default 40/70 % keeps up to live / 0.3 (364 MB)
        assertEquals(40, plain.get("MinHeapFreeRatio"));
        assertEquals(70, plain.get("MaxHeapFreeRatio"));
        assertTrue(plain.get("collected_mb") >= 250, "without the lower ratios: " + plain);

        List<VMOption> flagsAfter = List.of(vm.getVMOption("MinHeapFreeRatio"), vm.getVMOption("MaxHeapFreeRatio"));
        assertEquals(flagsBefore.toString(), flagsAfter.toString(), "this test JVM's flags are untouched");
    }

    /** Runs {@link JavaHeapChild} with {@code mode} and returns what it printed, {@code name value} a line. */
    private static Map<String, Long> child(String mode) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:+UseG1GC", "-Xms8m", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), JavaHeapChild.class.getName(), mode)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "child still running: " + out);
        assertEquals(0, p.exitValue(), out);
        Map<String, Long> values = new HashMap<>();
        for (String line : out.split("\\R")) {
            String[] f = line.trim().split(" ");
            if (f.length == 2 && f[1].matches("\\d+")) {
                values.put(f[0], Long.parseLong(f[1]));
            }
        }
        assertEquals(5, values.size(), out);
        return values;
    }
}
