package dev.t2i.runtime;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Keeps a long-running process's Java heap near what it uses, and its dead ND4J arrays freed.
 *
 * <p>Why: in a 135-minute {@code cifar-cpu} training run, G1 had grown the heap to 5 GB committed
 * for 0.5 GB of live objects (the graph runner makes many short-lived objects, and G1 grows the
 * heap rather than collect more often); 800,000 dead ND4J buffers were waiting for a collection to
 * release their native memory. A full collection took the process from 10.7 to 8.2 GB; a short run
 * with {@code -Xmx1g} peaked at 2.2 GB instead of 2.9. A command line flag is not something a
 * {@code java -jar} user passes, so this collects now and then and lowers the heap's free-ratio
 * bounds (manageable flags, settable at run time) so that a collection also gives the spare heap
 * back to the operating system.
 */
public final class JavaHeap {
    private static volatile boolean tuned;

    private JavaHeap() {
    }

    /**
     * A full collection, after which the heap shrinks to within 30 % of its live size. Call it now
     * and then in long loops (it takes a few hundred milliseconds), not per step. Does nothing
     * more than {@link System#gc()} where the flags cannot be set (another JVM, or a user's own).
     */
    public static void collect() {
        if (!tuned) {
            tuned = true;
            lowerFreeRatios();
        }
        System.gc();
    }

    private static void lowerFreeRatios() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            // the user's own settings win
            if (vm.getVMOption("MaxHeapFreeRatio").getOrigin() == com.sun.management.VMOption.Origin.DEFAULT) {
                vm.setVMOption("MinHeapFreeRatio", "10");
                vm.setVMOption("MaxHeapFreeRatio", "30");
            }
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot, or the flags are not manageable here: collections still free dead arrays
        }
    }
}
