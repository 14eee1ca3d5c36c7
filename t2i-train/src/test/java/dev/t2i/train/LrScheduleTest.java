package dev.t2i.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.config.Durations;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    private final LrSchedule cosine = new LrSchedule(1e-3, 10, 110, true);

    @Test
    void warmsUpLinearlyThenDecaysToZeroByCosine() {
        assertEquals(1e-4, cosine.at(0), 1e-12);
        assertEquals(1e-3, cosine.at(9), 1e-12);
        assertEquals(1e-3, cosine.at(10), 1e-12);
        assertEquals(0.5e-3, cosine.at(60), 1e-12, "half way through the decay");
        assertEquals(0, cosine.at(110), 1e-12);
        assertEquals(1e-3, new LrSchedule(1e-3, 10, 110, false).at(100), 1e-12, "constant after warm-up");
    }

    @Test
    void aSpentTimeBudgetMovesTheCosineAheadOfTheStepCount() {
        // step 20 of 110, but 60 % of the time spent: the rate is that of step 66
        assertEquals(cosine.at(66), cosine.at(20, 0.6), 1e-12);
        assertEquals(0, cosine.at(20, 1.0), 1e-12, "the budget's end is the schedule's end");
        assertEquals(cosine.at(80), cosine.at(80, 0.1), 1e-12, "the step count wins when it is further along");
        assertEquals(cosine.at(3), cosine.at(3, 0.9), 1e-12, "warm-up follows steps only");
    }

    @Test
    void emaWarmupGrowsTheDecayWithTheStepCount() {
        Ema warm = new Ema(0.999, true, java.util.Map.of());
        assertEquals(0.1, warm.decayAt(0), 1e-12);
        assertEquals(101.0 / 110, warm.decayAt(100), 1e-12);
        assertEquals(0.999, warm.decayAt(100_000), 1e-12, "capped at the configured decay");
        assertEquals(0.999, new Ema(0.999, false, java.util.Map.of()).decayAt(0), 1e-12);
        // after 1,000 steps a warm-started average holds almost none of the initial weights
        double initialShare = 1;
        for (int s = 0; s < 1000; s++) {
            initialShare *= warm.decayAt(s);
        }
        assertTrue(initialShare < 1e-3, "initial weights' share " + initialShare);
    }

    @Test
    void durationsReadSecondsMinutesAndHours() {
        assertEquals(90, Durations.seconds("90s", "x"), 0);
        assertEquals(3300, Durations.seconds("55m", "x"), 0);
        assertEquals(5400, Durations.seconds("1.5h", "x"), 0);
        assertEquals(600, Durations.seconds("10", "x"), 0, "a bare number is minutes");
        var e = org.junit.jupiter.api.Assertions.assertThrows(dev.t2i.T2iException.class,
                () -> Durations.seconds("soon", "time_limit"));
        assertTrue(e.getMessage().contains("time_limit") && e.getMessage().contains("55m"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(dev.t2i.T2iException.class, () -> Durations.seconds("0m", "x"));
    }
}
