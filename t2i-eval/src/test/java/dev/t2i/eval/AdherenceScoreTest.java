package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.shapes.ShapeColor;
import dev.t2i.data.shapes.ShapeKind;
import dev.t2i.data.shapes.ShapePrompt;
import dev.t2i.data.shapes.ShapesDataset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class AdherenceScoreTest {
    @Test
    void scoresSeenAndHeldOutPairsSeparately() {
        CaptionedImages data = ShapesDataset.generate(ShapesDataset.Split.TEST, 36, 32, 4);
        INDArray images = data.batch(IntStream.range(0, 36).toArray()).images();
        List<ShapePrompt> prompts = new ArrayList<>(data.captions().stream().map(ShapePrompt::parse).toList());

        AdherenceScore.Report perfect = AdherenceScore.score(prompts, images);
        assertEquals(30, perfect.seenTotal());
        assertEquals(6, perfect.heldOutTotal());
        assertEquals(1.0, perfect.seen());
        assertEquals(1.0, perfect.heldOut());
        int[][] diagonal = perfect.shapeConfusion();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(i == j ? 12 : 0, diagonal[i][j], "prompt " + i + " detected " + j);
            }
        }

        // ask for another shape on every held-out image: those all miss, but their colour matches
        for (int i = 0; i < prompts.size(); i++) {
            ShapePrompt p = prompts.get(i);
            if (ShapesDataset.isHeldOut(p)) {
                prompts.set(i, new ShapePrompt(p.color(), ShapeKind.values()[(p.shape().ordinal() + 1) % 3]));
            }
        }
        AdherenceScore.Report report = AdherenceScore.score(prompts, images);
        assertEquals(36, report.total(), "the wrong prompts are seen pairs now");
        assertEquals(30 / 36.0, report.overall(), 1e-12);
        assertEquals(1.0, report.colorAccuracy());
        assertEquals(30 / 36.0, report.shapeAccuracy(), 1e-12);
        assertTrue(Double.isNaN(report.heldOut()));
        assertTrue(report.summary().startsWith("adherence seen 0.833 (30/36), held-out n/a (0/0)"), report.summary());

        int[][] shifted = report.shapeConfusion();
        assertEquals(36 - 6, shifted[0][0] + shifted[1][1] + shifted[2][2]);
        assertTrue(report.confusionSummary().startsWith("shapes detected (prompt: circle square triangle none): circle "),
                report.confusionSummary());

        AdherenceScore.Report byCaption = AdherenceScore.scoreCaptions(data.captions(), images);
        assertEquals(perfect.summary(), byCaption.summary());
        assertTrue(java.util.Arrays.deepEquals(perfect.shapeConfusion(), byCaption.shapeConfusion()));
    }

    @Test
    void rejectsCaptionsThatAreNotShapePrompts() {
        T2iException e = assertThrows(T2iException.class, () -> ShapePrompt.parse("a photo of a cat"));
        assertTrue(e.getMessage().contains("'a <colour> <shape>'"), e.getMessage());
        assertEquals(new ShapePrompt(ShapeColor.ORANGE, ShapeKind.TRIANGLE), ShapePrompt.parse("  An ORANGE triangle "));
        assertEquals(new ShapePrompt(ShapeColor.BLUE, ShapeKind.SQUARE), ShapePrompt.parse("blue square"));
    }
}
