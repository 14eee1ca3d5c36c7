package dev.t2i.api;

import static dev.t2i.api.ImageAssertions.assertSamePixels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.Version;
import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.dit.DitNetwork;
import dev.t2i.image.Images;
import dev.t2i.io.ModelArchive;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model trained with {@code --clip random} is bundled with its CLIP's seed and shape instead of
 * the CLIP's weights (250 MB for the real shape), and loads to the very same images.
 */
class RandomClipBundleTest {
    private static final long SEED = 7;

    @Test
    void aRandomClipIsStoredAsItsRecipeAndRebuiltBitForBit(@TempDir Path dir) throws IOException {
        DitNetwork dit = TinyBundles.dit(SEED);
        ClipTextEncoder clip = TinyBundles.clip(SEED);
        assertTrue(clip.isRebuildable());
        Path recipe = dir.resolve("recipe.t2i");
        BundleManifest m = Bundle.write(recipe, dit, clip, TinyBundles.DEFAULTS,
                new BundleManifest.Source("test", 1L, false, clip.description()));
        assertEquals(Bundle.RECIPE_FORMAT_VERSION, m.formatVersion());
        assertTrue(m.parts().containsKey(ClipTextEncoder.RANDOM_RECIPE), m.parts().keySet().toString());
        assertFalse(m.parts().containsKey("clip.samediff"), "no CLIP weights");

        // the same model as a bundle of the earlier layout, which stored the CLIP's weights
        Path weights = dir.resolve("weights.t2i");
        writeWithClipWeights(weights, dit, clip);
        long small = Files.size(recipe);
        long large = Files.size(weights);
        // the tiny CLIP's weights alone are 49,408 x 32 floats (6.3 MB); its recipe is a few hundred
        // bytes, and the rest of the bundle is the DiT's graph (about 350 kB)
        assertTrue(m.parts().get(ClipTextEncoder.RANDOM_RECIPE).bytes() < 2_000, m.parts().toString());
        assertTrue(small < 1_000_000, "bundle with the recipe is " + small + " bytes");
        assertTrue(large > small + 6_000_000, "bundle with the weights is " + large + " bytes");

        Bundle read = Bundle.read(recipe);
        assertTrue(read.clip().isRandom() && read.clip().isRebuildable());
        assertEquals(clip.weightsSha256(), read.clip().weightsSha256(), "bit-identical CLIP weights");
        assertEquals(clip.config(), read.clip().config());
        read.release();

        // the same images from the in-memory model, the recipe bundle and the weights bundle
        ImageGenerator memory = new ImageGenerator(dit, new TextConditioner(clip, dit.config().contextLen()));
        SamplingOptions defaults = new SamplingOptions(TinyBundles.DEFAULTS.steps(), TinyBundles.DEFAULTS.cfg(), 5,
                TinyBundles.DEFAULTS.sampler(), 1, null);
        List<String> prompts = List.of("a red circle", "a blue square");
        Map<String, BufferedImage> expected = new LinkedHashMap<>();
        for (String prompt : prompts) {
            expected.put(prompt, Images.toBufferedImages(memory.generate(List.of(prompt), null, defaults)).get(0));
        }
        for (Path file : List.of(recipe, weights)) {
            try (T2iModel model = T2iModel.load(file)) {
                for (String prompt : prompts) {
                    GenerationResult r = model.generate(GenerationRequest.builder(prompt).seed(5).build());
                    assertSamePixels(expected.get(prompt), r.image(0), file.getFileName() + ", " + prompt);
                }
            }
        }
    }

    @Test
    void aBundleTellsWhichPromptsItsUntrainedTextEncoderMayNotFollow(@TempDir Path dir) {
        DitNetwork dit = TinyBundles.dit(SEED);
        ClipTextEncoder clip = TinyBundles.clip(SEED);
        List<String> captions = List.of("a red circle", "a blue square");
        Path with = dir.resolve("with.t2i");
        BundleManifest m = Bundle.write(with, dit, clip, TinyBundles.DEFAULTS,
                new BundleManifest.Source("test", 1L, false, clip.description(), captions));
        assertEquals(Bundle.RECIPE_FORMAT_VERSION, m.formatVersion(), "an addition older readers ignore");
        Path without = dir.resolve("without.t2i");
        Bundle.write(without, dit, clip, TinyBundles.DEFAULTS,
                new BundleManifest.Source("test", 1L, false, clip.description()));
        try (T2iModel model = T2iModel.load(with)) {
            ModelInfo info = model.info();
            assertEquals(captions, info.trainingCaptions());
            assertTrue(info.untrainedTextEncoder());
            assertTrue(info.promptWarning("A  red circle").isEmpty());
            String w = info.promptWarning("a red square").orElseThrow();
            assertTrue(w.contains("not one of the 2 captions") && w.contains("nearest caption is 'a blue square'"), w);
        }
        try (T2iModel model = T2iModel.load(without)) {
            assertEquals(List.of(), model.info().trainingCaptions());
            assertTrue(model.info().promptWarning("a red square").isEmpty(), "captions unknown: nothing to say");
        }
    }

    @Test
    void aRecipeThatRebuildsOtherWeightsIsRejected() {
        ClipTextEncoder clip = TinyBundles.clip(SEED);
        ModelArchive archive = ModelArchive.create().putJson(ClipTextEncoder.RANDOM_RECIPE,
                new ClipTextEncoder.RandomRecipe(SEED, clip.config(), "0".repeat(64)));
        T2iException e = assertThrows(T2iException.class, () -> ClipTextEncoder.fromArchive(archive, "x.t2i"));
        assertTrue(e.getMessage().contains("rebuilds with other weights") && e.getMessage().contains("bundle the"
                + " model again"), e.getMessage());
    }

    @Test
    void aLoadedClipKeepsItsWeights(@TempDir Path dir) {
        Path file = dir.resolve("clip.t2i");
        TinyBundles.clip(SEED).save(file);
        ClipTextEncoder loaded = ClipTextEncoder.load(file.toString());
        assertFalse(loaded.isRebuildable(), "weights read from a file are stored as weights");
        assertThrows(IllegalStateException.class, () -> loaded.addRecipeTo(ModelArchive.create()));
    }

    /** What bundles of format 1 held: the CLIP's graph and weights. */
    private static void writeWithClipWeights(Path out, DitNetwork dit, ClipTextEncoder clip) {
        ModelArchive content = clip.addTo(dev.t2i.dit.DitFiles.addTo(dit, ModelArchive.create()));
        Map<String, BundleManifest.Part> parts = new LinkedHashMap<>();
        for (String name : content.names()) {
            parts.put(name, BundleManifest.Part.of(content.bytes(name)));
        }
        BundleManifest manifest = new BundleManifest(Bundle.FORMAT, Bundle.WEIGHTS_FORMAT_VERSION,
                "t2i " + Version.current(), Instant.now().toString(),
                new BundleManifest.Source("test", 1L, false, clip.description()), TinyBundles.DEFAULTS, parts);
        ModelArchive archive = ModelArchive.create().putJson(Bundle.MANIFEST, manifest);
        for (String name : content.names()) {
            archive.putBytes(name, content.bytes(name));
        }
        archive.write(out);
    }
}
