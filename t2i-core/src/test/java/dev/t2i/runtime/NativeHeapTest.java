package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * When the native heap is trimmed, on an injected clock with a counting trim command: nothing here
 * reads the wall clock, so a busy machine cannot change the outcome.
 */
class NativeHeapTest {
    private static final long SECOND = NativeHeap.STEP_INTERVAL_NANOS;
    private static final long MINUTE = NativeHeap.INTERVAL_NANOS;

    private final long[] now = {5_000};
    private final AtomicInteger commands = new AtomicInteger();
    private final AtomicInteger collections = new AtomicInteger();

    private NativeHeap.Trims trims(boolean commandWorks) {
        return new NativeHeap.Trims(() -> now[0], () -> {
            commands.incrementAndGet();
            return commandWorks;
        }, collections::incrementAndGet);
    }

    @Test
    void aStepTrimsAtMostOnceASecond() {
        NativeHeap.Trims t = trims(true);
        assertFalse(t.afterStep(), "the first second starts when the process starts");
        now[0] += SECOND - 1;
        assertFalse(t.afterStep(), "a nanosecond short of a second");
        assertEquals(0, commands.get());
        now[0] += 1;
        assertTrue(t.afterStep(), "a second after the start");
        assertEquals(1, commands.get());
        for (int step = 0; step < 10; step++) {
            now[0] += SECOND / 10 - 1; // ten steps inside the next second
            assertFalse(t.afterStep(), "step " + step);
        }
        assertEquals(1, commands.get(), "no trim within the second");
        now[0] += 10;
        assertTrue(t.afterStep(), "a second after the last trim");
        assertEquals(2, commands.get());
        assertEquals(0, collections.get(), "step trims never collect the Java heap");
    }

    @Test
    void anyTrimStartsTheStepsSecondAgain() {
        NativeHeap.Trims t = trims(true);
        now[0] += SECOND / 2;
        assertTrue(t.trim(), "a trim of its own (a released model)");
        now[0] += SECOND / 2 + 1;
        assertFalse(t.afterStep(), "half a second after that trim, though 1 s after the start");
        assertEquals(1, commands.get());
        now[0] += SECOND / 2;
        assertTrue(t.afterStep());
        assertEquals(2, commands.get());
    }

    @Test
    void nowAndThenTrimsAndCollectsOnceAMinuteAndRestartsTheStepsSecond() {
        NativeHeap.Trims t = trims(true);
        now[0] += MINUTE - 1;
        assertFalse(t.nowAndThen());
        assertTrue(t.afterStep(), "step trims do not wait for the minute");
        assertEquals(0, collections.get());
        now[0] += 1;
        assertTrue(t.nowAndThen(), "a minute after the start");
        assertEquals(2, commands.get());
        assertEquals(1, collections.get(), "the Java heap is collected after the trim");
        now[0] += SECOND - 1;
        assertFalse(t.afterStep(), "the minute's trim counts as the steps' last trim");
        now[0] += 1;
        assertTrue(t.afterStep());
        assertEquals(3, commands.get());
        now[0] += MINUTE - SECOND - 1;
        assertFalse(t.nowAndThen(), "a step trim in between does not count for the minute: still 1 ns short");
        now[0] += 1;
        assertTrue(t.nowAndThen());
        assertEquals(2, collections.get());
        assertEquals(4, commands.get());
    }

    @Test
    void aCommandThatFailsIsNotTriedAgainButTheMinuteStillCollects() {
        NativeHeap.Trims t = trims(false);
        assertFalse(t.trim(), "no command in this JVM");
        assertEquals(1, commands.get());
        now[0] += MINUTE;
        assertFalse(t.afterStep());
        assertFalse(t.trim());
        assertFalse(t.nowAndThen(), "nothing trimmed");
        assertEquals(1, commands.get(), "never tried again");
        assertEquals(1, collections.get(), "the Java heap is still collected once a minute");
    }

    /** The real command: trim() runs it exactly when this JVM offers it (JDK 17.0.9+, Linux). */
    @Test
    void trimRunsTheJvmsCommandWhereTheJvmHasOne() throws Exception {
        boolean offered = Arrays.stream(ManagementFactory.getPlatformMBeanServer()
                        .getMBeanInfo(new ObjectName("com.sun.management:type=DiagnosticCommand")).getOperations())
                .anyMatch(op -> op.getName().equals("systemTrimNativeHeap"));
        assertEquals(offered, NativeHeap.trim(), "System.trim_native_heap offered: " + offered);
        assertEquals(offered, NativeHeap.trim(), "and again");
    }

    @Test
    void aThrottlePassesOncePerIntervalOfItsClock() {
        Throttle t = new Throttle(SECOND, () -> now[0]);
        assertFalse(t.tryPass(), "its interval starts when it is made");
        now[0] += SECOND - 1;
        assertFalse(t.tryPass(), "a nanosecond short of a second");
        now[0] += 1;
        assertTrue(t.tryPass(), "a second later it passes");
        assertFalse(t.tryPass(), "and not again at once");
        now[0] += SECOND / 2;
        t.passNow();
        now[0] += SECOND / 2 + 1;
        assertFalse(t.tryPass(), "a pass another way (a trim of its own) starts the interval again");
        now[0] += SECOND;
        assertTrue(t.tryPass());
    }

    /**
     * What a trim is for, on the real kernel: freed holes in malloc's arenas go back to the system.
     * Reads this process's memory (resident plus swapped, so that swapping on a busy machine does
     * not move it), so it is tagged slow and run by hand:
     * {@code mvn -o test -pl t2i-core -Dtest=NativeHeapTest -Dsurefire.excludedGroups=none}.
     */
    @Test
    @Tag("slow")
    void memoryFreedIntoMallocsArenasGoesBackToTheSystem() throws IOException {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "reads /proc/self/status: Linux only");
        assumeTrue(NativeHeap.trim(), "this JVM has no System.trim_native_heap (JDK 17.0.9+ on Linux)");
        // 64 KB buffers, under malloc's mmap threshold, so they come from its arenas; every other
        // one kept alive until the end, so the freed ones are holes that malloc cannot give back
        List<INDArray> freed = new ArrayList<>();
        List<INDArray> kept = new ArrayList<>();
        for (int i = 0; i < 8000; i++) {
            (i % 2 == 0 ? freed : kept).add(Nd4j.zeros(DataType.FLOAT, 16 * 1024));
        }
        freed.forEach(INDArray::close);
        long before = residentAndSwappedMb();
        assertTrue(NativeHeap.trim());
        long after = residentAndSwappedMb();
        kept.forEach(INDArray::close);
        assertTrue(before - after >= 128, "250 MB freed in holes; the trim gave back " + (before - after) + " MB ("
                + before + " -> " + after + " MB)");
    }

    private static long residentAndSwappedMb() throws IOException {
        long kb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:") || line.startsWith("VmSwap:")) {
                kb += Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return kb / 1024;
    }
}
