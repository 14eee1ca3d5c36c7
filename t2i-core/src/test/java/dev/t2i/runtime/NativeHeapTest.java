package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NativeHeapTest {
    @Test
    void memoryFreedIntoMallocsArenasGoesBackToTheSystem() {
        assumeTrue(ProcessMemory.residentMb() > 0, "needs /proc/self/status (Linux)");
        assumeTrue(NativeHeap.trim(), "this JDK has no System.trim_native_heap");
        // 64 KB buffers, under malloc's mmap threshold, so they come from its arenas; every other
        // one kept alive until the end, so the freed ones are holes that malloc cannot give back
        List<INDArray> freed = new ArrayList<>();
        List<INDArray> kept = new ArrayList<>();
        for (int i = 0; i < 8000; i++) {
            (i % 2 == 0 ? freed : kept).add(Nd4j.zeros(DataType.FLOAT, 16 * 1024));
        }
        freed.forEach(INDArray::close);
        long before = ProcessMemory.residentMb();
        assertTrue(NativeHeap.trim());
        long after = ProcessMemory.residentMb();
        kept.forEach(INDArray::close);
        assertTrue(before - after >= 128, "250 MB freed in holes; the trim gave back " + (before - after) + " MB ("
                + before + " -> " + after + " MB)");
    }

    @Test
    void aThrottlePassesOncePerIntervalOfItsClock() {
        long[] now = {5_000};
        Throttle t = new Throttle(NativeHeap.STEP_INTERVAL_NANOS, () -> now[0]);
        assertFalse(t.tryPass(), "its interval starts when it is made");
        now[0] += NativeHeap.STEP_INTERVAL_NANOS - 1;
        assertFalse(t.tryPass(), "a nanosecond short of a second");
        now[0] += 1;
        assertTrue(t.tryPass(), "a second later it passes");
        assertFalse(t.tryPass(), "and not again at once");
        now[0] += NativeHeap.STEP_INTERVAL_NANOS / 2;
        t.passNow();
        now[0] += NativeHeap.STEP_INTERVAL_NANOS / 2 + 1;
        assertFalse(t.tryPass(), "a pass another way (a trim of its own) starts the interval again");
        now[0] += NativeHeap.STEP_INTERVAL_NANOS;
        assertTrue(t.tryPass());
    }
}
