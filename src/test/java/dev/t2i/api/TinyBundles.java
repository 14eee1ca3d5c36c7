package dev.t2i.api;

import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.clip.ClipTextConfig;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.config.Preset;
import dev.t2i.config.TrainConfig;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitModel;
import dev.t2i.sampling.Sampler;
import dev.t2i.train.Checkpoint;
import dev.t2i.train.RunState;
import dev.t2i.train.TrainedModel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Tiny text-to-image models for tests: an 8x8 DiT of one block and a one-layer CLIP 32 wide,
 * saved as a run folder (with EMA weights unlike the live ones) and as a bundle.
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
    public static DitModel dit(long seed) {
        DitModel m = DitGraph.build(DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(1).numHeads(2)
                .mlpRatio(2.0).contextDim(CTX).numClasses(2).build(), seed);
        INDArray w = m.graph().getArrForVarName("final_proj.weight");
        w.assign(gaussian(w.shape(), new SplittableRandom(seed), 0.1));
        return m;
    }

    /**
     * Writes {@code dir/clip.t2i} and a run folder {@code dir/run} whose one checkpoint (step 5)
     * records that CLIP and holds EMA weights that differ from its live weights.
     *
     * @return the run folder
     */
    public static Path runFolder(Path dir, long seed) {
        Path clipFile = dir.resolve("clip.t2i");
        clip(seed).save(clipFile);
        DitModel model = dit(seed);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        Map<String, INDArray> ema = new HashMap<>();
        for (var e : model.weights().entrySet()) {
            ema.put(e.getKey(), e.getValue().add(gaussian(e.getValue().shape(), rng, 0.02)));
        }
        RunState state = new RunState(5, 5, TrainConfig.reference(), "tiny test data", "tiny clip",
                clipFile.toString(), null, 0, null);
        Path run = dir.resolve("run");
        new Checkpoint(model, state, ema, null).write(run, 1);
        return run;
    }

    /** A run folder as above, bundled into {@code dir/tiny.t2i} with {@link #DEFAULTS}. */
    public static Path bundle(Path dir, long seed) {
        Path run = runFolder(dir, seed);
        TrainedModel trained = TrainedModel.load(run);
        ClipTextEncoder clip = ClipTextEncoder.load(trained.clipSpec());
        Path out = dir.resolve("tiny.t2i");
        Bundle.write(out, trained.model(), clip, DEFAULTS,
                new BundleManifest.Source(run.toString(), trained.state().step(), trained.usedEma(), clip.description()));
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
