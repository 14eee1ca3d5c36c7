package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WilsonIntervalTest {
    /** Textbook values of the 95 % Wilson interval (z = 1.96), to four places. */
    @Test
    void matchesPublishedIntervals() {
        assertInterval(0.2366, 0.7634, WilsonInterval.of(5, 10));
        assertInterval(0.4038, 0.5962, WilsonInterval.of(50, 100));
        assertInterval(0.0, 0.2775, WilsonInterval.of(0, 10));
        assertInterval(0.7225, 1.0, WilsonInterval.of(10, 10));
    }

    @Test
    void narrowsWithMoreImagesAndHoldsTheProportion() {
        WilsonInterval hundred = WilsonInterval.of(49, 100);
        WilsonInterval thousand = WilsonInterval.of(490, 1000);
        assertTrue(hundred.low() < 0.49 && 0.49 < hundred.high(), hundred.toString());
        assertTrue(thousand.low() < 0.49 && 0.49 < thousand.high(), thousand.toString());
        assertTrue(thousand.high() - thousand.low() < (hundred.high() - hundred.low()) / 3, hundred + " " + thousand);
    }

    @Test
    void printsAndStoresBothEnds() {
        assertEquals("0.237–0.763", WilsonInterval.of(5, 10).toString());
        assertEquals(List.of(0.0, WilsonInterval.of(0, 10).high()), WilsonInterval.of(0, 10).asList());
    }

    @Test
    void refusesImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(3, 2));
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(0, 0));
        assertThrows(IllegalArgumentException.class, () -> WilsonInterval.of(-1, 5));
    }

    private static void assertInterval(double low, double high, WilsonInterval actual) {
        assertEquals(low, actual.low(), 1e-4, actual.toString());
        assertEquals(high, actual.high(), 1e-4, actual.toString());
    }
}
