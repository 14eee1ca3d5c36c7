package dev.t2i.api;

import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.clip.ClipTextConfig;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.config.Preset;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.sampling.Sampler;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Tiny text-to-image models for tests: an 8x8 DiT of one block and a one-layer CLIP 32 wide,
 * bundled with EMA weights unlike the live ones. (t2i-cli's tests also make run folders of them.)
 */
public final class TinyBundles {
    /** Width of the tiny CLIP, and so the DiT's context width. */
    public static final int CTX = 32;
    /** The bundle's default sampling settings: few steps keep tests fast. */
    public static final Preset.SampleDefaults DEFAULTS = new Preset.SampleDefaults(4, 3.0, Sampler.EULER);

    private TinyBundles() {
    }

    /** A one-layer random CLIP text tower 32 wide. */
    public static ClipTextEncoder clip(long seed) {
        return ClipTextEncoder.random(new ClipTextConfig(49408, CTX, 1, 2, 64, 77, "quick_gelu", 1e-5, 16, 2), seed);
    }

    /** A one-block 8x8 text DiT whose final layer is random (it starts at zero), so images depend on inputs. */
    public static DitNetwork dit(long seed) {
        DitNetwork m = DitGraph.build(DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(1).numHeads(2)
                .mlpRatio(2.0).contextDim(CTX).numClasses(2).build(), seed);
        INDArray w = m.graph().getArrForVarName("final_proj.weight");
        w.assign(gaussian(w.shape(), new SplittableRandom(seed), 0.1));
        return m;
    }

    /**
     * The weights a trained run's EMA would hold beside {@link #dit}'s live ones: the live weights
     * plus small seeded noise, so tests can tell which of the two a loader used.
     */
    public static Map<String, INDArray> emaWeights(DitNetwork model, long seed) {
        SplittableRandom rng = new SplittableRandom(seed + 1);
        Map<String, INDArray> ema = new HashMap<>();
        for (var e : model.weights().entrySet()) {
            ema.put(e.getKey(), e.getValue().add(gaussian(e.getValue().shape(), rng, 0.02)));
        }
        return ema;
    }

    /**
     * A bundle {@code dir/tiny.t2i} of {@link #clip} and {@link #dit} with {@link #emaWeights}, as
     * bundling step 5 of a run would write it, with {@link #DEFAULTS}.
     */
    public static Path bundle(Path dir, long seed) {
        // saved and loaded back: a bundle then carries the CLIP's weights, as for a converted CLIP,
        // not the recipe it keeps for a seeded random one
        Path clipFile = dir.resolve("clip.t2i");
        clip(seed).save(clipFile);
        ClipTextEncoder clip = ClipTextEncoder.load(clipFile.toString());
        DitNetwork model = dit(seed);
        model.setWeights(emaWeights(model, seed));
        Path out = dir.resolve("tiny.t2i");
        Bundle.write(out, model, clip, DEFAULTS, new BundleManifest.Source("tiny test run", 5L, true, clip.description()));
        return out;
    }

    /**
     * A bundle {@code dir/captioned.t2i} of {@link #dit} with {@link #emaWeights} and the seeded
     * random {@link #clip} (stored as its recipe, the offline default), recording the captions
     * its run was trained on, with {@link #DEFAULTS}.
     */
    public static Path captionedBundle(Path dir, long seed, java.util.List<String> captions) {
        ClipTextEncoder clip = clip(seed);
        DitNetwork model = dit(seed);
        model.setWeights(emaWeights(model, seed));
        Path out = dir.resolve("captioned.t2i");
        Bundle.write(out, model, clip, DEFAULTS,
                new BundleManifest.Source("tiny test run", 5L, true, clip.description(), captions));
        return out;
    }

    static INDArray gaussian(long[] shape, SplittableRandom rng, double scale) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            // sum of uniforms: close enough to Gaussian for test weights, and seeded independently of ND4J
            double s = 0;
            for (int k = 0; k < 12; k++) {
                s += rng.nextDouble();
            }
            v[i] = (float) ((s - 6) * scale);
        }
        return Nd4j.create(v, shape, 'c');
    }
}
