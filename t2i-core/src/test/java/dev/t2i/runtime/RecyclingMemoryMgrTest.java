package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RecyclingMemoryMgrTest {

    @Test
    void aSlightlyLongerFreeBufferBacksTheNextArrayAndGoesBackWhole() {
        try (RecyclingMemoryMgr mm = new RecyclingMemoryMgr(1L << 30)) {
            INDArray first = mm.allocate(false, DataType.FLOAT, 10, 200);
            long address = first.data().address();
            mm.release(first);
            assertEquals(2000 * 4, mm.pooledBytes());

            // 1,800 elements fit a 2,000-element buffer (at most a quarter longer)
            INDArray second = mm.allocate(false, DataType.FLOAT, 10, 180);
            assertEquals(address, second.data().address());
            assertArrayEquals(new long[] {10, 180}, second.shape());
            assertEquals(0, mm.pooledBytes());
            assertEquals(2000 * 4, mm.liveBytes(), "the whole buffer is held while the array lives");
            second.assign(Nd4j.linspace(DataType.FLOAT, 1, 1800, 1).reshape(10, 180));
            assertEquals(1800.0, second.getDouble(9, 179), 0.0);
            assertEquals(1800 * 1801 / 2.0, second.sumNumber().doubleValue(), 0.0);

            mm.release(second);
            assertEquals(2000 * 4, mm.pooledBytes(), "the buffer goes back at its full length");

            // 1,500 elements would waste a third of it: a new buffer
            INDArray third = mm.allocate(false, DataType.FLOAT, 1500);
            assertNotEquals(address, third.data().address());
            assertEquals(2000 * 4, mm.pooledBytes());
            // a result (detached: it outlives the call) only ever gets an exact-size buffer
            INDArray result = mm.allocate(true, DataType.FLOAT, 1800);
            assertNotEquals(address, result.data().address());
            assertEquals(java.util.Map.of("r", result), mm.exactResults(java.util.Map.of("r", result)));
            // and the full-length request gets the pooled buffer again
            INDArray fourth = mm.allocate(false, DataType.FLOAT, 2000);
            assertEquals(address, fourth.data().address());
            mm.release(fourth);

            // a result that ended up on a longer buffer (a reshape of one) is handed over as a copy
            INDArray inner = mm.allocate(false, DataType.FLOAT, 1800);
            assertEquals(address, inner.data().address());
            inner.assign(3);
            INDArray kept = mm.exactResults(java.util.Map.of("r", inner.reshape(30, 60))).get("r");
            assertNotEquals(address, kept.data().address());
            assertEquals(1800, kept.data().length());
            assertEquals(3 * 1800, kept.sumNumber().doubleValue(), 0.0);
            mm.endCall(java.util.List.of(kept));
            assertEquals(address, mm.allocate(false, DataType.FLOAT, 2000).data().address(),
                    "the longer buffer is back in the pool");
        }
    }

    @Test
    void buffersNoCallTakesForTwoCallsAreFreedAndReusedOnesStay() {
        try (RecyclingMemoryMgr mm = new RecyclingMemoryMgr(1L << 30)) {
            // call 0: a request of one size
            INDArray small = mm.allocate(false, DataType.FLOAT, 4000);
            mm.release(small);
            mm.endCall(java.util.List.of());
            assertEquals(4000 * 4, mm.pooledBytes());
            // calls 1 and 2: requests of another size, each reusing its own buffer
            long bigAddress = -1;
            for (int call = 1; call <= 2; call++) {
                INDArray big = mm.allocate(false, DataType.FLOAT, 20000);
                if (call == 1) {
                    bigAddress = big.data().address();
                } else {
                    assertEquals(bigAddress, big.data().address(), "a buffer every call takes is reused");
                }
                mm.release(big);
                mm.endCall(java.util.List.of());
                if (call == 1) {
                    assertEquals((4000 + 20000) * 4, mm.pooledBytes(), "idle for one call: still pooled");
                }
            }
            assertEquals(20000 * 4, mm.pooledBytes(), "the first size, idle for two calls, was freed");
            mm.allocate(false, DataType.FLOAT, 4000);
            assertEquals(20000 * 4, mm.pooledBytes(), "so its size gets a new buffer, not one from the pool");
        }
    }
}
