package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.flow.FlowMatching;
import dev.t2i.runtime.Graphs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Every parameter's gradient of the training loss against central finite differences, in
 * double precision, for the text, class and adaLN-Zero variants of a tiny DiT.
 *
 * <p>SameDiff's GradCheckUtil throws on float placeholders that have no gradient, hence this small
 * checker. The weights are randomised first: the zero-initialised final layer (and adaLN-Zero's
 * zero modulations) would otherwise give every upstream parameter a zero gradient and make the
 * check vacuous.
 */
class DitGradientCheckTest {
    private static final double STEP = 1e-6;
    private static final double MAX_RELATIVE = 1e-4;
    private static final double MAX_ABSOLUTE = 1e-6;
    private static final int SAMPLES_PER_PARAM = 3;
    private static final int BATCH = 3;

    @Test
    void textConditional() {
        check(DitConfig.builder().imgSize(8).patchSize(2).embedDim(16).depth(2).numHeads(2).mlpRatio(2.0)
                .contextDim(8).contextLen(4).numClasses(3).build());
    }

    @Test
    void classConditional() {
        check(DitConfig.builder().variant(DitConfig.Variant.CLASS).imgSize(8).patchSize(2).embedDim(16).depth(2)
                .numHeads(2).mlpRatio(2.0).contextDim(8).contextLen(4).numClasses(3).build());
    }

    @Test
    void adaLnZeroText() {
        check(DitConfig.builder().imgSize(8).patchSize(2).embedDim(16).depth(2).numHeads(2).mlpRatio(2.0)
                .contextDim(8).contextLen(4).numClasses(3).adaln(DitConfig.AdaLn.ZERO).build());
    }

    @Test
    void pooledTextInTheModulation() {
        check(DitConfig.builder().imgSize(8).patchSize(2).embedDim(16).depth(2).numHeads(2).mlpRatio(2.0)
                .contextDim(8).contextLen(4).numClasses(3).textPool(true).build());
    }

    private static void check(DitConfig cfg) {
        DitNetwork model = DitGraph.build(cfg, 11, DataType.DOUBLE);
        FlowMatching.attachLoss(model.graph(), DitGraph.VELOCITY, -1, cfg.inChannels(), cfg.imgSize(), cfg.imgSize());
        SameDiff sd = model.graph();
        Nd4j.getRandom().setSeed(42);
        for (String name : model.trainableNames()) {
            INDArray w = sd.getArrForVarName(name);
            w.addi(Nd4j.randn(DataType.DOUBLE, w.shape()).muli(0.2));
        }
        Map<String, INDArray> inputs = inputs(cfg);
        // the path the trainer takes
        Map<String, INDArray> grads = Graphs.gradients(sd, inputs, List.of(), model.trainableNames()).gradients();

        SplittableRandom pick = new SplittableRandom(7);
        List<String> failures = new ArrayList<>();
        double worst = 0;
        double worstAbs = 0;
        int checked = 0;
        int nonZero = 0;
        for (String name : model.trainableNames()) {
            INDArray w = sd.getArrForVarName(name);
            INDArray flat = w.reshape(w.length());
            INDArray g = grads.get(name);
            assertTrue(g != null, "no gradient for " + name);
            INDArray gFlat = g.reshape(g.length());
            for (int s = 0; s < SAMPLES_PER_PARAM; s++) {
                long i = pick.nextLong(w.length());
                double original = flat.getDouble(i);
                flat.putScalar(i, original + STEP);
                double plus = loss(sd, inputs);
                flat.putScalar(i, original - STEP);
                double minus = loss(sd, inputs);
                flat.putScalar(i, original);
                double numeric = (plus - minus) / (2 * STEP);
                double analytic = gFlat.getDouble(i);
                double abs = Math.abs(numeric - analytic);
                double rel = abs / Math.max(Math.abs(numeric), Math.abs(analytic));
                checked++;
                if (Math.abs(analytic) > 1e-8) {
                    nonZero++;
                }
                if (abs > MAX_ABSOLUTE && rel > MAX_RELATIVE) {
                    failures.add(String.format("%s[%d]: analytic %.8g, numeric %.8g, rel %.2g", name, i, analytic,
                            numeric, rel));
                }
                worstAbs = Math.max(worstAbs, abs);
                if (Math.max(Math.abs(numeric), Math.abs(analytic)) > MAX_ABSOLUTE) {
                    worst = Math.max(worst, rel);
                }
            }
        }
        System.out.printf("gradient check %s/%s: %d elements of %d parameters, %d non-zero; worst absolute error"
                + " %.2g, worst relative %.2g (gradients above %.0g)%n", cfg.variant(), cfg.adaln(), checked,
                model.trainableNames().size(), nonZero, worstAbs, worst, MAX_ABSOLUTE);
        assertTrue(failures.isEmpty(), failures.size() + " mismatches:\n" + String.join("\n", failures));
        // a check where most gradients vanish proves little
        assertTrue(nonZero > 0.9 * checked, "only " + nonZero + " of " + checked + " checked gradients are non-zero");
    }

    private static double loss(SameDiff sd, Map<String, INDArray> inputs) {
        return Graphs.output(sd, inputs, FlowMatching.LOSS).get(FlowMatching.LOSS).getDouble(0);
    }

    private static Map<String, INDArray> inputs(DitConfig cfg) {
        Nd4j.getRandom().setSeed(3);
        int s = cfg.imgSize();
        Map<String, INDArray> in = new HashMap<>();
        in.put(DitGraph.X, Nd4j.randn(DataType.DOUBLE, BATCH, cfg.inChannels(), s, s));
        in.put(DitGraph.T, Nd4j.createFromArray(0.3, 0.8, 0.55));
        in.put(FlowMatching.TARGET, Nd4j.randn(DataType.DOUBLE, BATCH, cfg.inChannels(), s, s));
        if (cfg.isText()) {
            INDArray context = Nd4j.randn(DataType.DOUBLE, BATCH, cfg.contextLen(), cfg.contextDim());
            // images 0 and 2 share a text: its gradient must sum over both
            context.get(NDArrayIndex.point(2)).assign(context.get(NDArrayIndex.point(0)));
            INDArray mask = Nd4j.ones(DataType.DOUBLE, BATCH, cfg.contextLen());
            // padded keys exercise the masked softmax
            mask.putScalar(new long[] {0, cfg.contextLen() - 1}, 0.0);
            mask.putScalar(new long[] {1, cfg.contextLen() - 2}, 0.0);
            mask.putScalar(new long[] {2, cfg.contextLen() - 1}, 0.0);
            in.putAll(TextContext.inputs(context, mask));
        } else if (cfg.isClass()) {
            // the null class and a repeated label: the class table's gradient must sum repeats
            in.put(DitGraph.LABEL, Nd4j.createFromArray(cfg.numClasses(), cfg.numClasses(), 1));
        }
        return in;
    }
}
