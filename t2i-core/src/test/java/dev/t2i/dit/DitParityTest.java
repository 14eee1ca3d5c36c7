package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.TestData;
import dev.t2i.io.Safetensors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Golden parity with the reference implementation: a checkpoint in its state-dict layout, inputs
 * and the velocity it computes. The committed fixture (tools/make_test_fixtures.py) runs
 * everywhere; ../shared/dit/tiny-text-dit, from the reference implementation itself, where present.
 */
class DitParityTest {
    @Test
    void committedCheckpointReproducesGoldenVelocity() {
        assertReproducesGolden(TestData.fixture("dit"), "fixtures/dit");
    }

    @Test
    void sharedReferenceCheckpointReproducesGoldenVelocity() {
        assertReproducesGolden(TestData.shared("dit/tiny-text-dit"), "shared tiny-text-dit");
    }

    private static void assertReproducesGolden(Path checkpoint, String name) {
        DitNetwork model = ReferenceCheckpoint.load(checkpoint);
        Map<String, INDArray> golden = Safetensors.readAll(checkpoint.resolve("golden.safetensors"));
        INDArray v = model.velocity(golden.get("x"), golden.get("t"), golden.get("context"),
                golden.get("context_mask"), null);
        INDArray expected = golden.get("velocity");
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(v.shape()));
        double err = v.sub(expected).amaxNumber().doubleValue();
        System.out.println(name + " golden max abs error: " + err);
        assertTrue(err <= 1e-4, "max abs error " + err);
        assertTrue(expected.amaxNumber().doubleValue() > 0.01, "golden output is not trivially zero");
    }
}
