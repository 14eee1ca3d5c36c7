package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class JavaHeapTest {
    /**
     * A collection runs and the heap's free-ratio bounds drop, so that collections give spare heap
     * back. (How much comes back was measured on a training process, README "Memory of the training
     * step": growing a test JVM's heap past its initial size takes too long for the default suite.)
     */
    @Test
    void collectsAndLetsTheHeapShrink() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        VMOption max = vm.getVMOption("MaxHeapFreeRatio");
        boolean userSet = max.getOrigin() != VMOption.Origin.DEFAULT && !"30".equals(max.getValue());
        long before = collections();
        JavaHeap.collect();
        assertTrue(collections() > before, "a collection ran");
        if (!userSet) {
            assertEquals("30", vm.getVMOption("MaxHeapFreeRatio").getValue());
            assertEquals("10", vm.getVMOption("MinHeapFreeRatio").getValue());
        }
    }

    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }
}
