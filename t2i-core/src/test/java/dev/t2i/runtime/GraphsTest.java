package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.dit.TextContext;
import dev.t2i.flow.FlowMatching;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.NoOpMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link Graphs} (a {@link GraphPlan} with the recycling memory manager) against SameDiff's own
 * session with fresh allocation (NoOpMemoryMgr, which leaves freeing to the garbage collector):
 * repeated forward and gradient passes, with batch size and text length changing between calls,
 * must give bit-identical results, and arrays returned by one call must survive the next.
 */
class GraphsTest {
    private static final DitConfig CFG = DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(2).numHeads(2)
            .mlpRatio(2.0).contextDim(16).contextLen(4).numClasses(2).build();

    private static DitNetwork model() {
        DitNetwork m = DitGraph.build(CFG, 5);
        FlowMatching.attachLoss(m.graph(), DitGraph.VELOCITY, -1, 3, 8, 8);
        Nd4j.getRandom().setSeed(9);
        // the zero final layer would make the velocity, and most gradients, trivially equal
        for (String name : m.trainableNames()) {
            INDArray w = m.graph().getArrForVarName(name);
            w.addi(Nd4j.randn(DataType.FLOAT, w.shape()).muli(0.1));
        }
        return m;
    }

    private static Map<String, INDArray> inputs(int b, long seed) {
        Nd4j.getRandom().setSeed(seed);
        Map<String, INDArray> in = new HashMap<>();
        in.put(DitGraph.X, Nd4j.randn(DataType.FLOAT, b, 3, 8, 8));
        in.put(DitGraph.T, Nd4j.rand(DataType.FLOAT, b));
        INDArray context = Nd4j.randn(DataType.FLOAT, b, 4, 16);
        // a repeated text, as in every real batch
        context.get(NDArrayIndex.point(b - 1)).assign(context.get(NDArrayIndex.point(0)));
        INDArray mask = Nd4j.ones(DataType.FLOAT, b, 4);
        mask.putScalar(new long[] {0, 3}, 0.0);
        mask.putScalar(new long[] {b - 1, 3}, 0.0);
        if (seed % 2 == 0) {
            // padding that every text has: cut off, so the text length changes between calls
            mask.get(NDArrayIndex.all(), NDArrayIndex.point(3)).assign(0);
        }
        in.putAll(TextContext.inputs(context, mask, true));
        in.put(FlowMatching.TARGET, Nd4j.randn(DataType.FLOAT, b, 3, 8, 8));
        return in;
    }

    /** Bit-identical (INDArray.equals allows a difference of 1e-5). */
    private static void assertIdentical(INDArray expected, INDArray actual, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        assertEquals(0.0, expected.sub(actual).amaxNumber().doubleValue(), 0.0, what);
    }

    /**
     * The plan's result against SameDiff's own session: bit-identical on the plain builds; within
     * float rounding on oneDNN's, whose matrix product takes another kernel (another order of
     * sums) for the transposed views the plan passes where the session copies.
     */
    private static void assertSameAsSession(INDArray session, INDArray plan, String what) {
        if (!dev.t2i.platform.NativeBuild.current().id().startsWith("onednn")) {
            assertIdentical(session, plan, what);
            return;
        }
        assertEquals(java.util.Arrays.toString(session.shape()), java.util.Arrays.toString(plan.shape()), what);
        // some gradients are zero in exact arithmetic (a key bias: softmax ignores a shift shared by
        // all keys) and only rounding noise here; their scale is that of the loss's other gradients
        double scale = Math.max(1e-3, session.amaxNumber().doubleValue());
        assertEquals(0.0, session.sub(plan).amaxNumber().doubleValue() / scale, 1e-5, what);
    }

    private static void useFreshArrays(SameDiff sd) {
        sd.getSessions().computeIfAbsent(Thread.currentThread().getId(), k -> new InferenceSession(sd))
                .setMmgr(new NoOpMemoryMgr());
    }

    @Test
    void repeatedForwardPassesAreIdenticalAndOutputsSurvive() {
        DitNetwork fresh = model();
        useFreshArrays(fresh.graph());
        Map<String, INDArray> a = inputs(3, 1);
        Map<String, INDArray> b = inputs(5, 2);
        INDArray refA = fresh.graph().output(a, DitGraph.VELOCITY).get(DitGraph.VELOCITY);
        INDArray refB = fresh.graph().output(b, DitGraph.VELOCITY).get(DitGraph.VELOCITY);

        DitNetwork m = model();
        INDArray first = Graphs.output(m.graph(), a, DitGraph.VELOCITY).get(DitGraph.VELOCITY);
        INDArray firstCopy = first.dup();
        for (int i = 0; i < 3; i++) {
            assertIdentical(refB, Graphs.output(m.graph(), b, DitGraph.VELOCITY).get(DitGraph.VELOCITY), "call " + i);
            assertIdentical(refA, Graphs.output(m.graph(), a, DitGraph.VELOCITY).get(DitGraph.VELOCITY), "call " + i);
        }
        assertIdentical(firstCopy, first, "an output stays valid after later calls");
        assertIdentical(refA, first, "first call");
        assertTrue(Graphs.memory(m.graph()).pooledBytes() > 0, "released arrays were pooled for reuse");
    }

    @Test
    void recomputingForwardValuesKeepsTheGradientsAndSavesMemory() {
        Map<String, INDArray> in = inputs(16, 5);
        long[] peak = new long[2];
        Map<String, INDArray> kept = new HashMap<>();
        for (int run = 0; run < 2; run++) {
            boolean recompute = run == 1;
            System.setProperty(PlannedSession.RECOMPUTE_PROPERTY, Boolean.toString(recompute));
            System.setProperty(PlannedSession.RECOMPUTE_MIN_MB_PROPERTY, "0");   // this graph is small
            try {
                DitNetwork m = model();
                Graphs.prepareGradients(m.graph());
                RecyclingMemoryMgr memory = Graphs.memory(m.graph().getFunction("grad"));
                for (int call = 0; call < 2; call++) {
                    memory.resetPeaks();   // the second call: after the sizing runs of the first
                    try (Graphs.Gradients g = Graphs.gradients(m.graph(), in, List.of(FlowMatching.LOSS),
                            m.trainableNames())) {
                        for (String p : m.trainableNames()) {
                            if (!recompute) {
                                kept.put(p, g.gradients().get(p).dup());
                            } else {
                                assertIdentical(kept.get(p), g.gradients().get(p), p + " recomputed, call " + call);
                            }
                        }
                    }
                }
                peak[run] = memory.peakLiveBytes();
            } finally {
                System.clearProperty(PlannedSession.RECOMPUTE_PROPERTY);
                System.clearProperty(PlannedSession.RECOMPUTE_MIN_MB_PROPERTY);
            }
        }
        System.out.printf("peak live bytes of a gradient pass: %d kept, %d recomputed%n", peak[0], peak[1]);
        assertTrue(peak[1] < 0.8 * peak[0], "recomputation lowers the peak: " + peak[1] + " vs " + peak[0]);
    }

    @Test
    void repeatedGradientPassesAreIdentical() {
        DitNetwork fresh = model();
        Map<String, INDArray> in = inputs(4, 3);
        Graphs.prepareGradients(fresh.graph());
        useFreshArrays(fresh.graph());
        useFreshArrays(fresh.graph().getFunction("grad"));
        var ref = fresh.graph().calculateGradientsAndOutputs(in, List.of(FlowMatching.LOSS), fresh.trainableNames());

        DitNetwork m = model();
        Map<String, INDArray> first = new java.util.HashMap<>();
        for (int i = 0; i < 3; i++) {
            try (Graphs.Gradients g = Graphs.gradients(m.graph(), in, List.of(FlowMatching.LOSS), m.trainableNames())) {
                assertSameAsSession(ref.getOutputs().get(FlowMatching.LOSS), g.outputs().get(FlowMatching.LOSS),
                        "loss, call " + i);
                assertEquals(m.trainableNames().size(), g.gradients().size());
                for (String p : m.trainableNames()) {
                    assertSameAsSession(ref.getGradients().get(p), g.gradients().get(p), p + ", call " + i);
                    // the plan's own repeated passes are bit-identical on every build
                    if (i == 0) {
                        first.put(p, g.gradients().get(p).dup());
                    } else {
                        assertIdentical(first.get(p), g.gradients().get(p), p + ", call " + i + " against call 0");
                    }
                }
            }
            // a forward pass in between shares nothing with the gradient function's pool
            Graphs.output(m.graph(), inputs(2, 7), DitGraph.VELOCITY);
        }
    }

    @Test
    void gradientsThatAreTheSameDataComeBackAsSeparateArrays() {
        // both operands of a same-shape add get the incoming gradient itself; the optimiser then
        // updates each gradient array in place, so they must not be one array
        SameDiff sd = Graphs.create();
        var x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        var a = sd.var("a", Nd4j.rand(DataType.FLOAT, 2, 3));
        var b = sd.var("b", Nd4j.rand(DataType.FLOAT, 2, 3));
        var sum = a.add(b).reshape(3, 2).reshape(2, 3);
        sd.identity("loss", x.mul(sum).sum());
        sd.setLossVariables("loss");
        Map<String, INDArray> in = Map.of("x", Nd4j.rand(DataType.FLOAT, 2, 3));
        try (Graphs.Gradients g = Graphs.gradients(sd, in, List.of("loss"), List.of("a", "b"))) {
            INDArray ga = g.gradients().get("a");
            INDArray gb = g.gradients().get("b");
            assertIdentical(in.get("x"), ga, "d loss / d a");
            assertIdentical(in.get("x"), gb, "d loss / d b");
            ga.addi(1);
            assertIdentical(in.get("x"), gb, "b's gradient after a's was changed");
        }
    }

    @Test
    void aPlaceholderOfTheWrongShapeIsNamed() {
        DitNetwork m = model();
        Map<String, INDArray> in = new HashMap<>(inputs(2, 1));
        in.put(DitGraph.X, Nd4j.zeros(DataType.FLOAT, 2, 3, 8, 9));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Graphs.output(m.graph(), in, DitGraph.VELOCITY));
        assertTrue(e.getMessage().contains("'" + DitGraph.X + "'") && e.getMessage().contains("[2, 3, 8, 9]"),
                e.getMessage());
    }
}
