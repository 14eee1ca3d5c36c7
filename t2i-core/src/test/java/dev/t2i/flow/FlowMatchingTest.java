package dev.t2i.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.runtime.Graphs;
import dev.t2i.sampling.Sampler;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Pins the rectified-flow objective down: path, target, time draws and loss. */
class FlowMatchingTest {
    private static INDArray images(long seed) {
        return FlowMatching.noise(new SplittableRandom(seed), 3, 2, 4, 4);
    }

    @Test
    void thePathRunsFromDataAtZeroToNoiseAtOneWithAConstantVelocity() {
        INDArray x0 = images(1);
        INDArray x1 = images(2);
        FlowMatching.Example ex = FlowMatching.interpolate(x0, x1, Nd4j.createFromArray(0f, 1f, 0.25f));
        assertEquals(0, ex.xt().get(NDArrayIndex.point(0)).sub(x0.get(NDArrayIndex.point(0))).amaxNumber().doubleValue(),
                1e-7, "t = 0 is the image");
        assertEquals(0, ex.xt().get(NDArrayIndex.point(1)).sub(x1.get(NDArrayIndex.point(1))).amaxNumber().doubleValue(),
                1e-7, "t = 1 is the noise");
        INDArray quarter = x0.get(NDArrayIndex.point(2)).mul(0.75).add(x1.get(NDArrayIndex.point(2)).mul(0.25));
        assertEquals(0, ex.xt().get(NDArrayIndex.point(2)).sub(quarter).amaxNumber().doubleValue(), 1e-6,
                "each image has its own t");
        assertEquals(0, ex.target().sub(x1.sub(x0)).amaxNumber().doubleValue(), 1e-7, "target x1 - x0");
    }

    @Test
    void integratingTheTargetVelocityFromTheNoiseGivesBackTheImage() {
        // the objective's time direction and the samplers' must agree: t = 1 noise, t = 0 data
        INDArray x0 = images(3);
        INDArray x1 = images(4);
        INDArray v = x1.sub(x0);
        for (Sampler s : Sampler.ALL) {
            INDArray back = s.integrate((x, t) -> v.dup(), x1, 7);
            assertEquals(0, back.sub(x0).amaxNumber().doubleValue(), 1e-5, s + " recovers x0");
        }
    }

    @Test
    void oneStreamGivesTheSameExampleTimesFirstThenNoise() {
        INDArray x0 = images(5);
        FlowMatching.Example a = FlowMatching.draw(new SplittableRandom(9), x0, TimeSampling.LOGIT_NORMAL);
        FlowMatching.Example b = FlowMatching.draw(new SplittableRandom(9), x0, TimeSampling.LOGIT_NORMAL);
        assertEquals(a.xt(), b.xt());
        SplittableRandom rng = new SplittableRandom(9);
        INDArray t = TimeSampling.LOGIT_NORMAL.draw(rng, 3);
        INDArray x1 = FlowMatching.noise(rng, x0.shape());
        assertEquals(t, a.t());
        assertEquals(FlowMatching.interpolate(x0, x1, t).target(), a.target());
    }

    @Test
    void logitNormalTimesCrowdTheMiddleAndUniformTimesSpreadEvenly() {
        int n = 20_000;
        double[] uniform = TimeSampling.UNIFORM.draw(new SplittableRandom(1), n).toDoubleVector();
        double[] logit = TimeSampling.LOGIT_NORMAL.draw(new SplittableRandom(1), n).toDoubleVector();
        assertEquals(0.5, middleShare(uniform), 0.02, "U(0, 1): half in [0.25, 0.75]");
        // P(|N(0,1)| < logit(0.75) = 1.0986) = 0.728
        assertEquals(0.728, middleShare(logit), 0.02, "logit-normal: three quarters in the middle");
        for (double t : logit) {
            assertTrue(t > 0 && t < 1, "t in (0, 1): " + t);
        }
        assertEquals(0.5, java.util.Arrays.stream(logit).average().orElseThrow(), 0.01, "symmetric about 1/2");
    }

    private static double middleShare(double[] t) {
        return java.util.Arrays.stream(t).filter(x -> x >= 0.25 && x <= 0.75).count() / (double) t.length;
    }

    @Test
    void theGraphLossIsTheHostMeanSquaredErrorAndZeroForThePerfectVelocity() {
        SameDiff sd = SameDiff.create();
        sd.identity("velocity", sd.placeHolder("v", DataType.FLOAT, -1, 2, 4, 4));
        FlowMatching.attachLoss(sd, "velocity", -1, 2, 4, 4);
        FlowMatching.attachLoss(sd, "velocity", -1, 2, 4, 4); // a graph that has its loss keeps it
        INDArray v = images(6);
        INDArray target = images(7);
        double graph = Graphs.output(sd, Map.of("v", v, FlowMatching.TARGET, target), FlowMatching.LOSS)
                .get(FlowMatching.LOSS).getDouble(0);
        double host = FlowMatching.loss(v, target);
        assertEquals(host, graph, 1e-6 * host);
        double byHand = 0;
        float[] a = v.data().asFloat();
        float[] b = target.data().asFloat();
        for (int i = 0; i < a.length; i++) {
            byHand += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        assertEquals(byHand / a.length, host, 1e-6 * host);
        assertEquals(0, Graphs.output(sd, Map.of("v", target, FlowMatching.TARGET, target), FlowMatching.LOSS)
                .get(FlowMatching.LOSS).getDouble(0), 0);
        assertArrayEquals(new String[] {FlowMatching.LOSS}, sd.getLossVariables().toArray(new String[0]));
    }
}
