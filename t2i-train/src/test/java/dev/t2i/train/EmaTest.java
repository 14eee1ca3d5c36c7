package dev.t2i.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class EmaTest {
    private static Map<String, INDArray> params(float w, float b) {
        Map<String, INDArray> p = new LinkedHashMap<>();
        p.put("w", Nd4j.createFromArray(w, 2 * w));
        p.put("b", Nd4j.createFromArray(b));
        return p;
    }

    @Test
    void eachUpdateMovesTheAverageByOneMinusTheDecayOfThatStep() {
        Map<String, INDArray> p = params(1, 4);
        Ema ema = new Ema(0.9, false, p);
        p.get("w").assign(Nd4j.createFromArray(3f, 6f));
        p.get("b").assign(0);
        ema.update(p, 0);
        // 0.9·1 + 0.1·3 = 1.2, 0.9·2 + 0.1·6 = 2.4, 0.9·4 + 0.1·0 = 3.6
        assertEquals(Nd4j.createFromArray(1.2f, 2.4f), ema.weights().get("w"));
        assertEquals(3.6f, ema.weights().get("b").getFloat(0), 1e-6);
        // the parameters themselves are not touched
        assertEquals(Nd4j.createFromArray(3f, 6f), p.get("w"));
    }

    @Test
    void warmUpLetsTheFirstUpdatesFollowTheWeights() {
        Map<String, INDArray> p = params(0, 0);
        Ema ema = new Ema(0.999, true, p);
        p.get("w").assign(10);
        ema.update(p, 0);
        // decay 0.1 at step 0: the average is already 90 % of the way to the weights
        assertEquals(9.0, ema.weights().get("w").getDouble(0), 1e-5);
        Ema cold = new Ema(0.999, false, params(0, 0));
        cold.update(p, 0);
        assertEquals(0.01, cold.weights().get("w").getDouble(0), 1e-6);
    }

    @Test
    void restoreTakesTheSavedAverageAndRefusesAnotherModels() {
        Ema ema = new Ema(0.99, true, params(1, 1));
        ema.restore(params(5, 6));
        assertEquals(Nd4j.createFromArray(5f, 10f), ema.weights().get("w"));
        Map<String, INDArray> wrongShape = params(5, 6);
        wrongShape.put("w", Nd4j.createFromArray(1f, 2f, 3f));
        T2iException e = assertThrows(T2iException.class, () -> ema.restore(wrongShape));
        assertTrue(e.getMessage().contains("'w' is [3]"), e.getMessage());
        Map<String, INDArray> unknown = params(5, 6);
        unknown.put("extra", Nd4j.createFromArray(1f));
        assertThrows(T2iException.class, () -> ema.restore(unknown));
    }
}
