package dev.t2i.runtime;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The child JVM of {@link JavaHeapTest}: keeps 100 MB of heap live, fills 200 MB more,
 * drops those, collects ({@code
 * tuned}: {@link JavaHeap#collect()}, {@code plain}: {@link System#gc()}) and prints the committed
 * heap before and after and the free-ratio flags, one {@code name value} a line.
 */
public final class JavaHeapChild {
    private JavaHeapChild() {
    }

    public static void main(String[] args) {
        byte[][] live = fill(100);
        byte[][] filler = fill(200);
        System.out.println("filled_mb " + committedMb());
        filler = null;
        if (args[0].equals("tuned")) {
            JavaHeap.collect();
        } else {
            System.gc();
        }
        System.out.println("collected_mb " + committedMb());
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        System.out.println("MinHeapFreeRatio " + vm.getVMOption("MinHeapFreeRatio").getValue());
        System.out.println("MaxHeapFreeRatio " + vm.getVMOption("MaxHeapFreeRatio").getValue());
        System.out.println("live_mb " + live.length / 16);
    }

    /** {@code mb} MB in 64 KB arrays: small objects, not G1's humongous ones of half a region or more. */
    private static byte[][] fill(int mb) {
        byte[][] arrays = new byte[mb * 16][];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = new byte[64 << 10];
            arrays[i][i % arrays[i].length] = 1;
        }
        return arrays;
    }

    private static long committedMb() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() >> 20;
    }
}
