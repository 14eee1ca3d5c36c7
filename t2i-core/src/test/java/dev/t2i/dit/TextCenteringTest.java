package dev.t2i.dit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.TensorFormatException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TextCenteringTest {
    private static DitConfig.Builder tiny() {
        return DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(2).numHeads(2).mlpRatio(2.0)
                .contextDim(16).contextLen(4).adaln(DitConfig.AdaLn.ZERO).textPool(true);
    }

    /** Captions alike as an untrained tower makes them: one large common part, small differences. */
    private static INDArray alikeCaptions(int n) {
        Nd4j.getRandom().setSeed(5);
        INDArray common = Nd4j.randn(new long[] {1, 4, 16}).muli(3.0).addi(1.0);
        INDArray all = Nd4j.randn(new long[] {n, 4, 16}).muli(0.1);
        for (int i = 0; i < n; i++) {
            all.slice(i).addi(common.slice(0));
        }
        return all;
    }

    @Test
    void theFittedCaptionsComeOutCentredWithUnitSpread() {
        INDArray captions = alikeCaptions(10);
        TextCentering c = TextCentering.fit(captions);
        INDArray out = c.apply(captions);

        assertEquals(0.0, out.mean(0).amaxNumber().doubleValue(), 1e-5, "each position's mean token is zero");
        assertEquals(1.0, Math.sqrt(out.mul(out).meanNumber().doubleValue()), 1e-5, "root mean square");
        assertEquals(0.1, c.scale(), 0.02, "the spread of the differences, not of the common part");
        INDArray expected = captions.slice(3).sub(captions.mean(0)).divi(c.scale());
        assertEquals(0.0, c.apply(captions.get(NDArrayIndex.interval(3, 4))).slice(0).sub(expected)
                .amaxNumber().doubleValue(), 1e-5, "one caption alone: (tokens - mean) / scale");
        assertEquals(10.0, c.apply(captions).get(NDArrayIndex.point(0)).sub(c.apply(captions).get(NDArrayIndex.point(1)))
                .norm2Number().doubleValue() / captions.slice(0).sub(captions.slice(1)).norm2Number().doubleValue(),
                2.0, "the difference between two captions grows by 1 / scale");
    }

    @Test
    void aSingleCaptionCentresToZeroWithoutScaling() {
        INDArray one = alikeCaptions(1);
        TextCentering c = TextCentering.fit(one);
        assertEquals(1.0f, c.scale());
        assertEquals(0.0, c.apply(one).amaxNumber().doubleValue(), 0.0);
        assertThrows(T2iException.class, () -> c.apply(Nd4j.zeros(1, 5, 16)), "a longer text than fitted");
        assertThrows(T2iException.class, () -> TextCentering.fit(Nd4j.zeros(4, 16)));
    }

    @Test
    void theModelReadsTheTokensCentredAndItsFilesKeepTheCentring(@TempDir Path dir) {
        DitNetwork centred = DitGraph.build(tiny().textCentering(true).build(), 4);
        DitNetwork plain = DitGraph.build(tiny().build(), 4);
        Nd4j.getRandom().setSeed(2);
        // adaLN-Zero starts with every branch off: give all weights values so every path counts
        centred.weights().values().forEach(w -> w.assign(Nd4j.randn(w.dataType(), w.shape()).muli(0.2)));
        plain.setWeights(centred.weights());
        INDArray x = Nd4j.randn(new long[] {2, 3, 8, 8});
        INDArray t = Nd4j.createFromArray(0.3f, 0.8f);
        INDArray ctx = alikeCaptions(2);
        INDArray mask = Nd4j.ones(2, 4);

        IllegalStateException unfitted = assertThrows(IllegalStateException.class,
                () -> centred.velocity(x, t, ctx, mask, null));
        assertTrue(unfitted.getMessage().contains("never fitted"), unfitted.getMessage());

        TextCentering c = TextCentering.fit(alikeCaptions(10));
        centred.setTextCentering(c);
        INDArray v = centred.velocity(x, t, ctx, mask, null);
        assertEquals(0.0, v.sub(plain.velocity(x, t, c.apply(ctx), mask, null)).amaxNumber().doubleValue(), 1e-6,
                "a centring model is the plain model over centred tokens");
        assertEquals(0.0, v.sub(centred.velocity(x, t, centred.prepareText(ctx, mask, null)))
                .amaxNumber().doubleValue(), 1e-5, "and so is its prepared-text path");

        Path file = dir.resolve("m.zip");
        DitFiles.save(centred, file);
        DitNetwork read = DitFiles.load(file);
        assertEquals(c.scale(), read.textCentering().scale());
        assertArrayEquals(v.dup().data().asFloat(), read.velocity(x, t, ctx, mask, null).dup().data().asFloat(),
                "bit for bit after saving and reading");

        ModelArchive withoutIt = ModelArchive.create();
        ModelArchive all = ModelArchive.read(file);
        all.names().stream().filter(n -> !n.equals(DitFiles.TEXT_CENTERING))
                .forEach(n -> withoutIt.putBytes(n, all.bytes(n)));
        TensorFormatException missing = assertThrows(TensorFormatException.class, () -> DitFiles.read(withoutIt));
        assertTrue(missing.getMessage().contains(DitFiles.TEXT_CENTERING), missing.getMessage());
        assertThrows(IllegalStateException.class, () -> plain.setTextCentering(c), "a model without text_centering");
    }

    @Test
    void onlyTheTextVariantCentresText() {
        T2iException e = assertThrows(T2iException.class,
                () -> tiny().textPool(false).variant(DitConfig.Variant.CLASS).textCentering(true).build());
        assertTrue(e.getMessage().contains("text_centering"), e.getMessage());
        assertTrue(!tiny().textCentering(true).build().withVariant(DitConfig.Variant.CLASS).textCentering());
    }
}
