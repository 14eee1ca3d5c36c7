package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MeasureTest {
    @Test
    void aResetPeakIsThePeakOfWhatRanSinceAndTheProcessPeakIsKept() throws InterruptedException {
        assumeTrue(Measure.recentPeakRssMb() > 0, "needs /proc/self/status (Linux)");
        // 256 MB touched and freed: the process's peak includes it
        ByteBuffer big = ByteBuffer.allocateDirect(256 << 20);
        for (int i = 0; i < big.capacity(); i += 4096) {
            big.put(i, (byte) 1);
        }
        long withBig = Measure.peakRssMb();
        big = null;
        long afterFree = dev.t2i.runtime.ProcessMemory.residentMb();
        // a direct buffer's memory goes back when its cleaner runs, some time after a collection
        for (int i = 0; i < 40 && withBig - afterFree <= 128; i++) {
            System.gc();
            Thread.sleep(50);
            afterFree = dev.t2i.runtime.ProcessMemory.residentMb();
        }
        assumeTrue(withBig - afterFree > 128, "the JVM did not give the 256 MB back (" + withBig + " -> "
                + afterFree + " MB), nothing to measure");
        assumeTrue(Measure.resetPeakRss(), "/proc/self/clear_refs is not writable here");
        long recent = Measure.recentPeakRssMb();
        assertTrue(recent < withBig - 128, "a reset peak starts from the current RSS: " + recent + " vs " + withBig);
        assertTrue(Measure.peakRssMb() >= withBig, "the process's peak survives the reset: " + Measure.peakRssMb()
                + " vs " + withBig);
    }
}
