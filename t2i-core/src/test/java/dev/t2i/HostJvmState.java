package dev.t2i;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;

/**
 * What library code must leave in its host JVM as it found it: every system property (AWT's
 * headless mode among them) and every VM flag that can change at run time (the G1 heap-free
 * ratios and the other manageable flags). Compare a {@link #capture()} before and after.
 *
 * @param properties     every system property and its value
 * @param writeableFlags every manageable VM flag and its value
 */
public record HostJvmState(Map<String, String> properties, Map<String, String> writeableFlags) {
    /** This JVM's state now. */
    public static HostJvmState capture() {
        Map<String, String> properties = new TreeMap<>();
        System.getProperties().stringPropertyNames().forEach(k -> properties.put(k, System.getProperty(k)));
        Map<String, String> flags = new TreeMap<>();
        for (VMOption o : ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getDiagnosticOptions()) {
            if (o.isWriteable()) {
                flags.put(o.getName(), o.getValue());
            }
        }
        return new HostJvmState(properties, flags);
    }
}
