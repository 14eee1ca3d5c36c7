package dev.t2i.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AutoGuidedVelocityTest {
    @Test
    void extrapolatesFromTheGuideThroughTheModel() {
        INDArray x = Nd4j.createFromArray(new float[] {1f, -2f});
        // the model's velocity 2x + t, the guide's x − t
        VelocityField model = (v, t) -> v.mul(2).addi(t);
        VelocityField guide = (v, t) -> v.sub(t);
        INDArray out = new AutoGuidedVelocity(model, guide, 2.5).velocity(x, 0.5);
        // v_g + 2.5·(v − v_g): at x = 1: 0.5 + 2.5·(2.5 − 0.5) = 5.5; at x = −2: −2.5 + 2.5·(−3.5 + 2.5) = −5
        assertArrayEquals(new float[] {5.5f, -5f}, out.toFloatVector(), 1e-6f);
        // the input is left as it was
        assertArrayEquals(new float[] {1f, -2f}, x.toFloatVector());
    }
}
