package dev.t2i.runtime;

import java.util.function.LongSupplier;

/**
 * Lets something happen at most once per interval of an injected clock (nanoseconds), so that
 * what is throttled can be tested without sleeping.
 */
final class Throttle {
    private final long intervalNanos;
    private final LongSupplier clock;
    private volatile long last;

    /** A throttle whose interval starts now: the first pass comes one interval from now. */
    Throttle(long intervalNanos, LongSupplier clock) {
        this.intervalNanos = intervalNanos;
        this.clock = clock;
        this.last = clock.getAsLong();
    }

    /** Whether a whole interval has passed since the last pass; if so, this is the new last pass. */
    boolean tryPass() {
        long now = clock.getAsLong();
        if (now - last < intervalNanos) {
            return false;
        }
        last = now;
        return true;
    }

    /** Records a pass now, whatever the interval (something did the throttled thing another way). */
    void passNow() {
        last = clock.getAsLong();
    }
}
