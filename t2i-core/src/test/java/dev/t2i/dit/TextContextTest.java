package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TextContextTest {
    @Test
    void repeatedTextsAreStoredOnceAndSelectedPerImage() {
        INDArray texts = Nd4j.rand(DataType.FLOAT, 3, 4, 5);
        int[] rows = {0, 1, 0, 2, 1};
        INDArray context = Nd4j.create(DataType.FLOAT, rows.length, 4, 5);
        for (int i = 0; i < rows.length; i++) {
            context.get(NDArrayIndex.point(i)).assign(texts.get(NDArrayIndex.point(rows[i])));
        }
        INDArray mask = Nd4j.ones(DataType.FLOAT, rows.length, 4);
        Map<String, INDArray> in = TextContext.inputs(context, mask);
        assertEquals(texts, in.get(DitGraph.CONTEXT));
        INDArray select = in.get(DitGraph.CONTEXT_SELECT);
        assertEquals(java.util.List.of(5L, 3L), java.util.List.of(select.size(0), select.size(1)));
        for (int i = 0; i < rows.length; i++) {
            for (int u = 0; u < 3; u++) {
                assertEquals(u == rows[i] ? 1.0 : 0.0, select.getDouble(i, u), "image " + i + ", text " + u);
            }
        }
        // the selection reproduces the per-image tokens exactly
        INDArray back = select.mmul(in.get(DitGraph.CONTEXT).reshape(3, 20)).reshape(rows.length, 4, 5);
        assertEquals(0.0, back.sub(context).amaxNumber().doubleValue(), 0.0);
        assertEquals(mask, in.get(DitGraph.CONTEXT_MASK));
    }

    @Test
    void viewsAreReadCorrectly() {
        INDArray big = Nd4j.rand(DataType.FLOAT, 6, 4, 5);
        INDArray view = big.get(NDArrayIndex.interval(2, 5));
        Map<String, INDArray> in = TextContext.inputs(view, Nd4j.ones(DataType.FLOAT, 3, 4));
        assertEquals(view, in.get(DitGraph.CONTEXT));
    }

    @Test
    void paddingThatEveryTextHasIsCutOff() {
        INDArray context = Nd4j.rand(DataType.FLOAT, 3, 6, 2);
        INDArray mask = Nd4j.createFromArray(new float[][] {{1, 1, 0, 0, 0, 0}, {1, 1, 1, 0, 0, 0}, {1, 0, 0, 0, 0, 0}});
        Map<String, INDArray> in = TextContext.inputs(context, mask, true);
        assertEquals(List.of(3L, 3L, 2L), List.of(in.get(DitGraph.CONTEXT).shape()[0], in.get(DitGraph.CONTEXT).shape()[1],
                in.get(DitGraph.CONTEXT).shape()[2]));
        assertEquals(mask.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3)), in.get(DitGraph.CONTEXT_MASK));
        assertEquals(context.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 3), NDArrayIndex.all()),
                in.get(DitGraph.CONTEXT));
        // a hole in the middle is kept: only the common tail goes
        mask.putScalar(0, 4, 1.0);
        assertEquals(5L, TextContext.inputs(context, mask, true).get(DitGraph.CONTEXT_MASK).size(1));
        assertEquals(6L, TextContext.inputs(context, mask, false).get(DitGraph.CONTEXT_MASK).size(1));
        assertEquals(1L, TextContext.usedLength(Nd4j.zeros(DataType.FLOAT, 2, 6)));
    }
}
