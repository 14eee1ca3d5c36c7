package dev.t2i.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The bench's peak memory against a kernel played by the test (its RSS and high-water mark set by
 * hand), so that nothing depends on what this JVM or the machine does with memory meanwhile.
 */
class MeasureTest {
    /** Linux's VmRSS and VmHWM, and clear_refs "5", which sets the mark back to the RSS. */
    private static final class Kernel {
        long rssMb;
        long highWaterMb;
        boolean resettable = true;
        int resets;

        void rss(long mb) {
            rssMb = mb;
            highWaterMb = Math.max(highWaterMb, mb);
        }

        boolean clearRefs() {
            if (!resettable) {
                return false;
            }
            resets++;
            highWaterMb = rssMb;
            return true;
        }
    }

    @Test
    void aResetPeakIsThePeakOfWhatRanSinceAndTheProcessPeakIsKept() {
        Kernel k = new Kernel();
        Measure.PeakRss peak = new Measure.PeakRss(() -> k.highWaterMb, k::clearRefs);
        k.rss(100);
        k.rss(356); // 256 MB touched
        k.rss(100); // and freed
        assertEquals(356, peak.peakMb());
        assertEquals(356, peak.recentPeakMb());

        assertTrue(peak.reset());
        assertEquals(1, k.resets);
        assertEquals(100, peak.recentPeakMb(), "a reset peak starts from the current RSS");
        assertEquals(356, peak.peakMb(), "the process's peak survives the reset");
        k.rss(220);
        k.rss(150);
        assertEquals(220, peak.recentPeakMb(), "the peak of what ran since the reset");
        assertEquals(356, peak.peakMb());

        k.rss(500);
        assertEquals(500, peak.peakMb(), "a new peak above the old one is the process's peak");
        k.rss(120);
        assertTrue(peak.reset());
        k.rss(130);
        assertEquals(130, peak.recentPeakMb());
        assertEquals(500, peak.peakMb(), "kept across a second reset");
    }

    @Test
    void withoutClearRefsAResetChangesNothing() {
        Kernel k = new Kernel();
        k.resettable = false;
        Measure.PeakRss peak = new Measure.PeakRss(() -> k.highWaterMb, k::clearRefs);
        k.rss(300);
        k.rss(200);
        assertFalse(peak.reset());
        assertEquals(300, peak.recentPeakMb(), "the mark still covers the whole run");
        assertEquals(300, peak.peakMb());
    }

    @Test
    void withoutProcThePeakIsUnknown() {
        Measure.PeakRss peak = new Measure.PeakRss(() -> -1, () -> false);
        assertEquals(-1, peak.peakMb());
        assertEquals(-1, peak.recentPeakMb());
        assertFalse(peak.reset());
        assertEquals(-1, peak.peakMb());
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Measure.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Measure.median(new double[] {4, 1, 3, 2}));
        assertEquals(7.0, Measure.median(new double[] {7}));
    }
}
