package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.io.Safetensors;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Golden parity with the reference implementation: ../shared/dit/tiny-text-dit/golden.safetensors. */
class DitParityTest {
    static final Path CHECKPOINT = Path.of("../shared/dit/tiny-text-dit");

    @Test
    void referenceCheckpointReproducesGoldenVelocity() {
        DitModel model = DitModel.fromTorchCheckpoint(CHECKPOINT);
        Map<String, INDArray> golden = Safetensors.readAll(CHECKPOINT.resolve("golden.safetensors"));
        INDArray v = model.velocity(golden.get("x"), golden.get("t"), golden.get("context"),
                golden.get("context_mask"), null);
        INDArray expected = golden.get("velocity");
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(v.shape()));
        double err = v.sub(expected).amaxNumber().doubleValue();
        System.out.println("tiny-text-dit golden max abs error: " + err);
        assertTrue(err <= 1e-4, "max abs error " + err);
        assertTrue(expected.amaxNumber().doubleValue() > 0.01, "golden output is not trivially zero");
    }
}
