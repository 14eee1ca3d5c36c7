package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.data.CaptionedImages;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

class ImageClassifierFeaturesTest {
    @Test
    void featuresAreTheOutputLayersInput() {
        ImageClassifier c = ImageClassifier.create(List.of("top", "bottom"), 16,
                new ImageClassifier.Settings(ImageClassifier.Layout.CONV_CONV_POOL, 4, 1, 32, 1e-2, 0, 0));
        assertEquals(16, c.featureWidth()); // 4 × the width of 4
        CaptionedImages data = ImageClassifierTest.squares(300, 3);
        INDArray images = data.batch(IntStream.range(0, 300).toArray()).images();
        INDArray f = c.features(images);
        assertArrayEquals(new long[] {300, 16}, f.shape());
        // softmax(f W + b) is the network's output: f is what the output layer sees
        var out = c.network().getLayer(c.network().getnLayers() - 1);
        INDArray logits = f.mmul(out.getParam("W")).addiRowVector(out.getParam("b"));
        INDArray expected = c.network().output(images, false);
        INDArray softmax = Transforms.softmax(logits, true);
        assertTrue(expected.equalsWithEps(softmax, 1e-5), "softmax of features differs from the output");
        // batches of 256 and one batch agree
        INDArray first = c.features(images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10)));
        assertTrue(first.equalsWithEps(f.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10),
                org.nd4j.linalg.indexing.NDArrayIndex.all()), 1e-5));
        // and they feed the distances: a set is at distance 0 from itself, the two classes' features are apart
        INDArray top = f.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2, 300),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        INDArray bottom = f.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2, 300),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertEquals(150, top.size(0));
        assertEquals(0, FrechetDistance.between(top, top), 1e-9);
        assertTrue(FrechetDistance.between(top, bottom) > 0);
    }

    @Test
    void theWhitenedSgdRecipesFeaturesAreTheMaximaItsUnbiasedOutputLayerReads() {
        ImageClassifier c = ImageClassifier.create(List.of("top", "bottom"), 16, new ImageClassifier.Settings(
                ImageClassifier.Layout.CONV_POOL_CONV, 4, 1, 32, 0.1, 0, 0, 2, ImageClassifier.Recipe.WHITENED_SGD));
        assertEquals(16, c.featureWidth()); // widths 4, 16, 16
        INDArray images = ImageClassifierTest.squares(20, 4).batch(IntStream.range(0, 20).toArray()).images();
        INDArray f = c.features(images);
        // the last activation before global pooling, [20, 16, side, side]: its maximum per channel
        List<INDArray> acts = c.network().feedForward(images, false);
        INDArray last = acts.get(c.network().getnLayers() - 2);
        assertEquals(4, last.rank());
        assertTrue(last.max(2, 3).equalsWithEps(f, 1e-6), "features are not the per-channel maxima");
        var out = c.network().getLayer(c.network().getnLayers() - 1);
        INDArray softmax = Transforms.softmax(f.mmul(out.getParam("W")), true);
        assertTrue(c.network().output(images, false).equalsWithEps(softmax, 1e-5), "the output layer has a bias");
    }
}
