package dev.t2i.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.t2i.T2iException;

import org.junit.jupiter.api.Test;

class CoreSplitTest {
    @Test
    void smallMachinesGetOneWorkerPerCoreWithOneThreadEach() {
        assertEquals(new CoreSplit(1, 1), CoreSplit.of(1, null, null));
        assertEquals(new CoreSplit(2, 1), CoreSplit.of(2, null, null));
        assertEquals(new CoreSplit(4, 1), CoreSplit.of(4, null, null));
    }

    @Test
    void coresPastTheWorkerLimitGoToTheOpsOfEachWorker() {
        assertEquals(new CoreSplit(CoreSplit.MAX_WORKERS, 16 / CoreSplit.MAX_WORKERS), CoreSplit.of(16, null, null));
        assertEquals(new CoreSplit(CoreSplit.MAX_WORKERS, 64 / CoreSplit.MAX_WORKERS), CoreSplit.of(64, null, null));
        // what does not divide evenly stays idle rather than oversubscribing a core
        assertEquals(new CoreSplit(CoreSplit.MAX_WORKERS, 6 / CoreSplit.MAX_WORKERS), CoreSplit.of(6, null, null));
    }

    @Test
    void anAskedSideFixesItAndTheOtherTakesTheRest() {
        assertEquals(new CoreSplit(1, 16), CoreSplit.of(16, 1, null));
        assertEquals(new CoreSplit(2, 8), CoreSplit.of(16, 2, null));
        assertEquals(new CoreSplit(4, 4), CoreSplit.of(16, null, 4));
        assertEquals(new CoreSplit(1, 2), CoreSplit.of(2, null, 2));
        assertEquals(new CoreSplit(3, 5), CoreSplit.of(16, 3, 5));
        // more threads per op than cores: one worker, as asked
        assertEquals(new CoreSplit(1, 8), CoreSplit.of(2, null, 8));
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CoreSplit(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new CoreSplit(1, 0));
    }

    @Test
    void anAskedCountIsAPositiveWholeNumberOrAOneLineError() {
        assertNull(Backend.count(CoreSplit.WORKERS_ENV, null), "unset: not asked");
        assertEquals(3, Backend.count(CoreSplit.WORKERS_ENV, "3"));
        assertEquals(2, Backend.count(CoreSplit.WORKERS_ENV, " 2 "));
        for (String bad : new String[] {"0", "-1", "two", "", "2.5"}) {
            T2iException e = assertThrows(T2iException.class, () -> Backend.count(CoreSplit.WORKERS_ENV, bad));
            assertEquals("T2I_WORKERS=" + bad + " is not a positive whole number (unset it or give e.g. 2)",
                    e.getMessage());
        }
    }
}
