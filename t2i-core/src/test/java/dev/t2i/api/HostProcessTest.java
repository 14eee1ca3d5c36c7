package dev.t2i.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What an application that embeds t2i keeps: loading a bundle, generating images and closing
 * the model leave the JVM's system properties (AWT's headless mode among them), its writeable
 * VM flags (the G1 heap-free ratios and every other manageable setting) as they were. ND4J is loaded first: ND4J's own start-up is not this library's doing.
 */
class HostProcessTest {
    @Test
    void loadingAndGeneratingLeaveTheHostJvmAsItWas(@TempDir Path dir) throws Exception {
        Path bundle = TinyBundles.bundle(dir, 61);
        Nd4j.create(new float[] {1f}); // the backend, loaded before the snapshot

        Map<String, String> properties = properties();
        Map<String, String> flags = writeableVmFlags();
        assertTrue(flags.containsKey("MinHeapFreeRatio"), "the snapshot covers G1's heap-free ratios: " + flags.keySet());

        try (T2iModel model = T2iModel.load(bundle)) {
            GenerationResult r = model.generate(GenerationRequest.builder("a red circle").seed(3).steps(2)
                    .imagesPerPrompt(2).build());
            assertEquals(2, r.size());
            assertTrue(r.png(0).length > 0);
        }

        assertEquals(properties, properties(), "system properties");
        assertEquals(flags, writeableVmFlags(), "writeable VM flags");
    }

    /** A copy of every system property. */
    private static Map<String, String> properties() {
        Map<String, String> out = new TreeMap<>();
        System.getProperties().stringPropertyNames().forEach(k -> out.put(k, System.getProperty(k)));
        return out;
    }

    /** Every VM flag that can change at run time (manageable), with its value. */
    private static Map<String, String> writeableVmFlags() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        Map<String, String> out = new TreeMap<>();
        for (VMOption o : vm.getDiagnosticOptions()) {
            if (o.isWriteable()) {
                out.put(o.getName(), o.getValue());
            }
        }
        return out;
    }
}
