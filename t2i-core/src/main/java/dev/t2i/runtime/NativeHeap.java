package dev.t2i.runtime;

import java.lang.management.ManagementFactory;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import javax.management.ObjectName;

/**
 * Gives memory that native code has freed back to the operating system.
 *
 * <p>Why: ND4J's buffers come from glibc's malloc, which keeps freed memory in its arenas for
 * reuse instead of returning it; a seed training run on 2 cores held 1.5 GB that way (its RSS
 * went from 5.69 to 4.15 GB when {@code malloc_trim} was called from a debugger). The JVM's
 * diagnostic command {@code System.trim_native_heap} (JDK 17.0.9 and later, Linux with glibc)
 * calls {@code malloc_trim}; this runs it from inside the process, where a JDK without it or
 * another C library simply makes it a no-op.
 */
public final class NativeHeap {
    /** Least time between {@link #trimNowAndThen()} trims: the pages it gives back are faulted in again. */
    static final long INTERVAL_NANOS = 60_000_000_000L;

    /** Least time between {@link #trimAfterStep()} trims. */
    static final long STEP_INTERVAL_NANOS = 1_000_000_000L;
    /** This process's trims: the JVM's clock, trim command and Java heap collection. */
    private static final Trims PROCESS = new Trims(System::nanoTime, NativeHeap::runTrimCommand, JavaHeap::collect);

    private NativeHeap() {
    }

    /**
     * {@link #trim()} if a second or more has passed since the last trim: for the end of a training
     * step, when the step's temporaries have just been freed. The step's buffers come from glibc's
     * arenas (34–35 heaps of 64 MB held 1.45–1.5 GB of a 2.1–2.2 GB seed step in {@code pmap});
     * which freed chunks a step can reuse depends on how its threads' allocations interleave, so
     * without trims the steps' peak wandered between 1.7 and 2.45 GB from run to run of one jar.
     * Trimming after every seed step (1.2 s) held it at 1.62–1.67 GB in five runs, for 5–10 % of
     * the step's time (the pages given back are faulted in again); a model with short steps trims
     * about once a second.
     *
     * @return whether a trim ran
     */
    public static boolean trimAfterStep() {
        return PROCESS.afterStep();
    }

    /**
     * {@link #trim()} if the last trim was a minute or more ago: for loops that pass by often (a
     * training loop's metrics rows come every few seconds for small models). It first collects
     * the Java heap ({@link JavaHeap#collect}), which frees the native memory of dead ND4J arrays
     * and hands spare heap back; the trim then returns what the previous round freed.
     *
     * @return whether a trim ran
     */
    public static boolean trimNowAndThen() {
        return PROCESS.nowAndThen();
    }

    /**
     * Returns freed native memory to the operating system; a few milliseconds. Call it after
     * large frees (a released model) and now and then in long loops, not per operation.
     *
     * @return whether the trim ran
     */
    public static boolean trim() {
        return PROCESS.trim();
    }

    /** The JVM's {@code System.trim_native_heap}; false where it cannot run. */
    private static boolean runTrimCommand() {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return true;
        } catch (Exception | LinkageError e) {
            // an older JDK, a platform without the command, or no management module: nothing to trim with
            return false;
        }
    }

    /**
     * When to trim, with the clock, the trim command and the Java heap collection injected so that
     * tests can drive it without sleeping; the process has one ({@link #PROCESS}).
     */
    static final class Trims {
        /** Step trims: any trim counts as the last one. */
        private final Throttle stepTrims;
        /** {@link #nowAndThen()}'s collections (step trims do not count). */
        private final Throttle collections;
        private final BooleanSupplier command;
        private final Runnable collectJavaHeap;
        private volatile boolean unavailable;

        Trims(LongSupplier clock, BooleanSupplier command, Runnable collectJavaHeap) {
            this.stepTrims = new Throttle(STEP_INTERVAL_NANOS, clock);
            this.collections = new Throttle(INTERVAL_NANOS, clock);
            this.command = command;
            this.collectJavaHeap = collectJavaHeap;
        }

        /** {@link NativeHeap#trimAfterStep()}. */
        boolean afterStep() {
            if (!stepTrims.tryPass()) {
                return false;
            }
            return trim();
        }

        /** {@link NativeHeap#trimNowAndThen()}. */
        boolean nowAndThen() {
            if (!collections.tryPass()) {
                return false;
            }
            boolean trimmed = trim();
            collectJavaHeap.run();
            return trimmed;
        }

        /** {@link NativeHeap#trim()}: once the command has failed it is not tried again. */
        boolean trim() {
            if (unavailable) {
                return false;
            }
            stepTrims.passNow();
            if (command.getAsBoolean()) {
                return true;
            }
            unavailable = true;
            return false;
        }
    }
}
