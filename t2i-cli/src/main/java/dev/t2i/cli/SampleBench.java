package dev.t2i.cli;

import dev.t2i.clip.ClipTextConfig;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.ClassConditioner;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.conditioning.Unconditioned;
import dev.t2i.config.Preset;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.dit.TextCentering;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.util.ArrayList;
import java.util.List;

/** {@code t2i bench sample}: N prompts, one image each, Euler with CFG (conditional and null text in one batch). */
final class SampleBench {
    private static final String[] CLASSES = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
        "ship", "truck"};

    private SampleBench() {
    }

    static void run(Preset preset, int images, int steps, int warmup, int reps, boolean profile) {
        DitConfig cfg = preset.model();
        ClipTextEncoder clip = cfg.isText() ? ClipTextEncoder.random(ClipTextConfig.vitB32(), 0) : null;
        if (clip != null && clip.config().width() != cfg.contextDim()) {
            cfg = cfg.withContextDim(clip.config().width());
        }
        DitNetwork model = DitGraph.build(cfg, 0);
        ImageGenerator gen = new ImageGenerator(model, cfg.isClass() ? new ClassConditioner(cfg.numClasses())
                : cfg.isText() ? new TextConditioner(clip, cfg.contextLen()) : new Unconditioned());
        SamplingOptions opts = new SamplingOptions(steps, 7.5, 0, Sampler.EULER, 1, null).validate();
        List<String> prompts = cfg.isClass() ? null : prompts(images);
        if (cfg.textCentering()) {
            // what training would fit; its values do not change the cost
            model.setTextCentering(TextCentering.fit(gen.conditioner().encode(prompts, null, null).context()));
        }
        int[] labels = cfg.isClass() ? java.util.stream.IntStream.range(0, images).map(i -> i % 10).toArray() : null;
        Measure.Times t = Measure.median(warmup, reps, () -> gen.generate(prompts, labels, opts));
        Measure.report("sample_s", t.wallSeconds(), "s");
        Measure.report("sample_cpu_s", t.cpuSeconds(), "s");
        Measure.report("sample_images_per_s", images / t.wallSeconds(), "images/s");
        if (profile) {
            Measure.profile(model.samplingGraph(), reps, () -> gen.generate(prompts, labels, opts));
        }
    }

    /** {@code n} distinct prompts of CIFAR-10 style. */
    static List<String> prompts(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("a photo of a " + CLASSES[i % CLASSES.length] + (i >= CLASSES.length ? " number " + i : ""));
        }
        return out;
    }
}
