package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.t2i.flow.FlowMatching;
import dev.t2i.runtime.Graphs;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The token-dropping training graph against the full one. */
class TokenDroppingTest {
    private static final DitConfig CFG = DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(2)
            .numHeads(2).mlpRatio(2.0).contextDim(16).contextLen(4).numClasses(2).adaln(DitConfig.AdaLn.ZERO)
            .textPool(true).build();

    /**
     * The blocks treat tokens alike apart from their added positions, so keeping all N tokens in a
     * shuffled order must give the full graph's velocity, patch for patch, in that order; and the
     * loss on the kept tokens' patches of the target must be the full graph's loss.
     */
    @Test
    void keepingEveryTokenInAnyOrderGivesTheFullGraphsPatchesAndLoss() {
        DitNetwork m = DitGraph.build(CFG, 3);
        Nd4j.getRandom().setSeed(5);
        // adaLN-Zero starts with every branch off: give all weights values so every path counts
        m.weights().values().forEach(w -> w.assign(Nd4j.randn(w.dataType(), w.shape()).muli(0.2)));
        int b = 2;
        int n = CFG.tokens();
        int p = CFG.patchValues();
        INDArray x = Nd4j.randn(new long[] {b, 3, 8, 8});
        INDArray t = Nd4j.createFromArray(0.3f, 0.8f);
        INDArray ctx = Nd4j.randn(new long[] {b, 4, 16});
        INDArray mask = Nd4j.ones(b, 4);
        INDArray target = Nd4j.randn(new long[] {b, 3, 8, 8});

        int[][] order = new int[b][n];
        INDArray select = Nd4j.zeros(b, n, n);
        java.util.Random r = new java.util.Random(11);
        for (int i = 0; i < b; i++) {
            java.util.List<Integer> perm = new java.util.ArrayList<>();
            for (int j = 0; j < n; j++) {
                perm.add(j);
            }
            java.util.Collections.shuffle(perm, r);
            for (int j = 0; j < n; j++) {
                order[i][j] = perm.get(j);
                select.putScalar(new long[] {i, j, perm.get(j)}, 1.0);
            }
        }

        INDArray full = m.velocity(x, t, ctx, mask, null);
        // the final layer's patch layout, written out: token (row, col) of the grid, values (py, px, channel)
        INDArray patches = full.reshape(b, 3, 4, 2, 4, 2).permute(0, 2, 4, 3, 5, 1).dup('c').reshape(b, n, p);

        SameDiff dropped = m.tokenDroppedGraph(n);
        SDVariable sel = dropped.getVariable(DitGraph.TOKEN_SELECT);
        FlowMatching.attachLoss(dropped, DitGraph.VELOCITY,
                v -> dropped.mmul(sel, DitGraph.tokenPatches(CFG, v)), -1, 3, 8, 8);
        Map<String, INDArray> in = new HashMap<>(m.inputs(x, t, ctx, mask, null));
        in.put(DitGraph.TOKEN_SELECT, select);
        in.put(FlowMatching.TARGET, target);
        Map<String, INDArray> out = Graphs.output(dropped, in, DitGraph.VELOCITY, FlowMatching.LOSS);
        INDArray kept = out.get(DitGraph.VELOCITY);
        assertArrayEquals(new long[] {b, n, p}, kept.shape());
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < n; j++) {
                INDArray want = patches.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(order[i][j]));
                INDArray got = kept.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(j));
                assertEquals(0.0, want.sub(got).amaxNumber().doubleValue(), 1e-5, "image " + i + " token " + j);
            }
        }
        assertEquals(FlowMatching.loss(full, target), out.get(FlowMatching.LOSS).getDouble(0), 1e-6);
    }

    @Test
    void keepingHalfTheTokensPredictsHalfThePatchesAndSharesTheWeights() {
        DitNetwork m = DitGraph.build(CFG, 3);
        Nd4j.getRandom().setSeed(6);
        m.weights().values().forEach(w -> w.assign(Nd4j.randn(w.dataType(), w.shape()).muli(0.2)));
        int kept = CFG.tokens() / 2;
        SameDiff dropped = m.tokenDroppedGraph(kept);
        INDArray select = Nd4j.zeros(1, kept, CFG.tokens());
        for (int j = 0; j < kept; j++) {
            select.putScalar(new long[] {0, j, 2 * j}, 1.0);
        }
        Map<String, INDArray> in = new HashMap<>(m.inputs(Nd4j.randn(new long[] {1, 3, 8, 8}),
                Nd4j.createFromArray(0.5f), Nd4j.randn(new long[] {1, 4, 16}), Nd4j.ones(1, 4), null));
        in.put(DitGraph.TOKEN_SELECT, select);
        INDArray before = Graphs.output(dropped, in, DitGraph.VELOCITY).get(DitGraph.VELOCITY).dup();
        assertArrayEquals(new long[] {1, kept, CFG.patchValues()}, before.shape());
        // a step on the model's weights is a step of the dropped graph: the final bias moves its output
        m.graph().getArrForVarName("final_proj.bias").addi(1.0);
        INDArray after = Graphs.output(dropped, in, DitGraph.VELOCITY).get(DitGraph.VELOCITY);
        assertEquals(1.0, after.sub(before).meanNumber().doubleValue(), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> m.tokenDroppedGraph(CFG.tokens() + 1));
        m.release();
    }
}
