package dev.t2i.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.HostJvmState;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What an application that embeds t2i keeps: loading a bundle, generating images and closing
 * the model leave the JVM's system properties (AWT's headless mode among them) and its writeable
 * VM flags (the G1 heap-free ratios and every other manageable setting) as they were
 * ({@link HostJvmState}). ND4J is loaded first: ND4J's own start-up is not this library's doing.
 */
class HostProcessTest {
    @Test
    void loadingAndGeneratingLeaveTheHostJvmAsItWas(@TempDir Path dir) throws Exception {
        Path bundle = TinyBundles.bundle(dir, 61);
        Nd4j.create(new float[] {1f}); // the backend, loaded before the snapshot

        HostJvmState before = HostJvmState.capture();
        assertTrue(before.writeableFlags().containsKey("MinHeapFreeRatio"),
                "the snapshot covers G1's heap-free ratios: " + before.writeableFlags().keySet());

        try (T2iModel model = T2iModel.load(bundle)) {
            GenerationResult r = model.generate(GenerationRequest.builder("a red circle").seed(3).steps(2)
                    .imagesPerPrompt(2).build());
            assertEquals(2, r.size());
            assertTrue(r.png(0).length > 0);
        }

        HostJvmState after = HostJvmState.capture();
        assertEquals(before.properties(), after.properties(), "system properties");
        assertEquals(before.writeableFlags(), after.writeableFlags(), "writeable VM flags");
    }
}
