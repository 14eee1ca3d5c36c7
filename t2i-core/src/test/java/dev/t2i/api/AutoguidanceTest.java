package dev.t2i.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.T2iException;
import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.config.Preset;
import dev.t2i.dit.DitNetwork;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Autoguidance end to end: the generator's guide model, the defaults that name it, and bundles that carry it. */
class AutoguidanceTest {
    private static final List<String> PROMPTS = List.of("a red circle", "a blue square");

    private static SamplingOptions options(double cfg, double guideScale) {
        return new SamplingOptions(4, cfg, 3, Sampler.EULER, 2, null, GuidanceInterval.FULL, guideScale);
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void aGuideModelChangesTheImagesOnlyAboveScaleOne() {
        DitNetwork dit = TinyBundles.dit(41);
        ClipTextEncoder clip = TinyBundles.clip(41);
        TextConditioner text = new TextConditioner(clip, dit.config().contextLen());
        DitNetwork guide = TinyBundles.dit(41);
        guide.setWeights(TinyBundles.emaWeights(guide, 7));
        ImageGenerator plain = new ImageGenerator(dit, text);
        ImageGenerator guided = new ImageGenerator(dit, text, guide);

        INDArray reference = plain.generate(PROMPTS, null, options(3.0, 1.0));
        assertEquals(0.0, maxDifference(reference, guided.generate(PROMPTS, null, options(3.0, 1.0))),
                "guide scale 1 leaves the guide model out");
        INDArray autoguided = guided.generate(PROMPTS, null, options(3.0, 2.0));
        assertTrue(maxDifference(reference, autoguided) > 1e-3, "guide scale 2 moves the images");

        // a guide that is the model itself adds nothing where the model is not CFG-guided: v_c + w·(v_c − v_c)
        ImageGenerator self = new ImageGenerator(dit, text, TinyBundles.dit(41));
        assertTrue(maxDifference(plain.generate(PROMPTS, null, options(1.0, 1.0)),
                self.generate(PROMPTS, null, options(1.0, 3.0))) < 1e-5);

        var e = assertThrows(T2iException.class, () -> plain.generate(PROMPTS, null, options(3.0, 2.0)));
        assertTrue(e.getMessage().contains("needs a guide model"), e.getMessage());
        assertThrows(T2iException.class, () -> options(3.0, 0.5).validate());
    }

    @Test
    void sampleDefaultsWriteAGuideScaleOnlyWhenThereIsOne() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String none = json.writeValueAsString(new Preset.SampleDefaults(20, 5.0, Sampler.HEUN));
        assertTrue(!none.contains("guide_scale"), none);
        Preset.SampleDefaults with = new Preset.SampleDefaults(20, 6.0, Sampler.HEUN, GuidanceInterval.FULL, 2.0);
        String written = json.writeValueAsString(with);
        assertTrue(written.contains("\"guide_scale\":2.0"), written);
        assertEquals(with, json.readValue(written, Preset.SampleDefaults.class));
        assertEquals(2.0, with.options(0).guideScale());
        var e = assertThrows(T2iException.class,
                () -> new Preset.SampleDefaults(20, 6.0, Sampler.HEUN, GuidanceInterval.FULL, 0.0));
        assertTrue(e.getMessage().contains("guide_scale"), e.getMessage());
    }

    @Test
    void aPresetThatAutoguidesKeepsAGuideModel(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("p.yaml");
        java.nio.file.Files.writeString(yaml, "sample:\n  guide_scale: 2.0\n");
        var e = assertThrows(T2iException.class, () -> Preset.file(yaml));
        assertTrue(e.getMessage().contains("set train.guide_at"), e.getMessage());
        java.nio.file.Files.writeString(yaml, "train:\n  guide_at: 0.5\nsample:\n  guide_scale: 2.0\n");
        assertEquals(0.5, Preset.file(yaml).train().guideAt());
        assertEquals(2.0, Preset.named("cifar-cpu").sample().guideScale());
        assertEquals(0.5, Preset.named("cifar-cpu").train().guideAt());
    }

    @Test
    void aBundleCarriesItsGuideModelAndAutoguidesByDefault(@TempDir Path dir) {
        DitNetwork dit = TinyBundles.dit(43);
        ClipTextEncoder clip = TinyBundles.clip(43);
        DitNetwork guide = TinyBundles.dit(43);
        guide.setWeights(TinyBundles.emaWeights(guide, 9));
        Preset.SampleDefaults defaults = new Preset.SampleDefaults(4, 3.0, Sampler.EULER, GuidanceInterval.FULL, 2.0);
        Path file = dir.resolve("guided.t2i");
        BundleManifest m = Bundle.write(file, dit, clip, guide, defaults,
                new BundleManifest.Source("test", 10L, true, clip.description()));
        assertEquals(Bundle.FORMAT_VERSION, m.formatVersion());

        Bundle read = Bundle.read(file);
        assertNotNull(read.guide());
        for (var w : guide.weights().entrySet()) {
            assertEquals(0.0, maxDifference(w.getValue(), read.guide().weights().get(w.getKey())), w.getKey());
        }
        assertEquals(2.0, read.defaultOptions(0).guideScale());
        INDArray fromBundle = read.generator().generate(PROMPTS, null, read.defaultOptions(3).withImagesPerPrompt(2));
        INDArray direct = new ImageGenerator(dit, new TextConditioner(clip, dit.config().contextLen()), guide)
                .generate(PROMPTS, null, options(3.0, 2.0));
        assertTrue(maxDifference(direct, fromBundle) < 1e-5, "the bundle samples as the models it holds");
        read.release();

        // through the API: the bundle's default autoguides, a request may turn it off, and says so in its PNG
        try (T2iModel model = T2iModel.load(file)) {
            assertTrue(model.info().guideModel());
            assertEquals(2.0, model.info().defaultGuideScale());
            GenerationResult byDefault = model.generate(GenerationRequest.builder("a red circle").seed(5).build());
            GenerationResult off = model.generate(GenerationRequest.builder("a red circle").seed(5).guideScale(1.0)
                    .build());
            assertEquals(2.0, byDefault.parameters(0).guideScaleValue());
            assertNull(off.parameters(0).guideScale());
            assertTrue(byDefault.parameters(0).parametersText().contains("Autoguidance: 2"));
            assertTrue(!java.util.Arrays.equals(
                    byDefault.image(0).getRGB(0, 0, 8, 8, null, 0, 8), off.image(0).getRGB(0, 0, 8, 8, null, 0, 8)));
            assertThrows(IllegalArgumentException.class,
                    () -> GenerationRequest.builder("x").guideScale(11.0).build());
        }

        // a bundle without a guide model stays at the version older readers take, and cannot default to one
        Path plain = dir.resolve("plain.t2i");
        assertTrue(Bundle.write(plain, dit, clip, TinyBundles.DEFAULTS,
                new BundleManifest.Source("test", 10L, true, clip.description())).formatVersion() < Bundle.FORMAT_VERSION);
        assertNull(Bundle.read(plain).guide());
        var e = assertThrows(T2iException.class, () -> Bundle.write(dir.resolve("bad.t2i"), dit, clip, null, defaults,
                new BundleManifest.Source("test", 10L, true, clip.description())));
        assertTrue(e.getMessage().contains("needs a guide model"), e.getMessage());
    }

    @Test
    void generationParametersRecordTheGuideScale() {
        GenerationParameters p = new GenerationParameters("a red circle", null, 3, 20, "heun", 6.0, null, 8, 8,
                "tiny", "abc", "0.1", null, null, 2.0);
        assertTrue(p.parametersText().contains("Autoguidance: 2"), p.parametersText());
        GenerationParameters back = GenerationParameters.fromJson(p.json());
        assertEquals(2.0, back.guideScaleValue());
        GenerationParameters none = new GenerationParameters("a red circle", null, 3, 20, "heun", 6.0, null, 8, 8,
                "tiny", "abc", "0.1", null, null, 1.0);
        assertNull(none.guideScale());
        assertTrue(!none.json().contains("guide_scale"), none.json());
        assertEquals(1.0, GenerationParameters.fromJson(none.json()).guideScaleValue());
    }
}
