package dev.t2i.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** binary16 as safetensors files store F16 tensors: every class of value decodes and round-trips. */
class HalfFloatsTest {
    @Test
    void knownBitPatternsDecodeToTheirValues() {
        assertEquals(1.0f, HalfFloats.toFloat((short) 0x3C00));
        assertEquals(-2.0f, HalfFloats.toFloat((short) 0xC000));
        assertEquals(65504f, HalfFloats.toFloat((short) 0x7BFF), "largest finite");
        assertEquals(0x1p-14f, HalfFloats.toFloat((short) 0x0400), "smallest normal");
        assertEquals(0x1p-24f, HalfFloats.toFloat((short) 0x0001), "smallest subnormal");
        assertEquals(0x3FFp-24f, HalfFloats.toFloat((short) 0x03FF), "largest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.toFloat((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.toFloat((short) 0xFC00));
        assertTrue(Float.isNaN(HalfFloats.toFloat((short) 0x7E00)));
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(HalfFloats.toFloat((short) 0x8000)));
        assertEquals(0.333251953125f, HalfFloats.toFloat((short) 0x3555), "1/3 rounded to 11 bits");
    }

    @Test
    void everyFiniteHalfRoundTrips() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short h = (short) bits;
            float f = HalfFloats.toFloat(h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.toFloat(HalfFloats.fromFloat(f))));
                continue;
            }
            assertEquals(h, HalfFloats.fromFloat(f), "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void floatsRoundToTheNearestHalf() {
        assertEquals((short) 0x3C00, HalfFloats.fromFloat(1.0001f));
        assertEquals((short) 0x7C00, HalfFloats.fromFloat(1e6f), "overflow is infinity");
        assertEquals((short) 0x0000, HalfFloats.fromFloat(1e-9f), "underflow is zero");
    }
}
