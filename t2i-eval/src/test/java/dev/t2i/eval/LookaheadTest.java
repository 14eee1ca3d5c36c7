package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LookaheadTest {
    @Test
    void theSlowCopyMovesTowardTheParametersAndTrainingGoesOnFromIt() {
        INDArray params = Nd4j.createFromArray(1f, 2f, 3f);
        Lookahead lookahead = new Lookahead(params);
        params.assign(Nd4j.createFromArray(3f, 2f, 1f)); // five steps of training
        lookahead.update(params, 0.75);
        // slow = 0.75·(1, 2, 3) + 0.25·(3, 2, 1), and the parameters are set to it
        assertEquals(Nd4j.createFromArray(1.5f, 2f, 2.5f), params);
        params.addi(1);
        lookahead.finish(params);
        assertEquals(Nd4j.createFromArray(1.5f, 2f, 2.5f), params);
    }

    @Test
    void theDecayGrowsWithTheCubeOfProgressToAirbenchsMaximum() {
        assertEquals(0, Lookahead.decayAt(0), 0);
        assertEquals(Math.pow(0.95, 5) / 8, Lookahead.decayAt(0.5), 1e-12);
        assertEquals(Math.pow(0.95, 5), Lookahead.decayAt(1), 1e-12);
        assertEquals(Math.pow(0.95, 5), Lookahead.decayAt(1.5), 1e-12);
    }

    @Test
    void decayZeroLeavesTrainingAlone() {
        INDArray params = Nd4j.createFromArray(1f, 2f);
        Lookahead lookahead = new Lookahead(params);
        params.assign(Nd4j.createFromArray(5f, 7f));
        lookahead.update(params, 0);
        assertEquals(Nd4j.createFromArray(5f, 7f), params);
    }
}
