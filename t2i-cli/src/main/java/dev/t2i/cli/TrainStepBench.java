package dev.t2i.cli;

import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.config.Preset;
import dev.t2i.data.CaptionedImages;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitNetwork;
import dev.t2i.runtime.Graphs;
import dev.t2i.train.Trainer;
import dev.t2i.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** {@code t2i bench train-step}: the trainer's own step on random images with CIFAR-10-style captions. */
final class TrainStepBench {
    private TrainStepBench() {
    }

    static void run(Preset preset, int batch, int warmup, int reps, boolean profile) {
        DitConfig cfg = preset.model();
        CaptionedImages data = randomImages(cfg, 4 * batch);
        // the seeded random ViT-B/32 tower; the trainer loads it again by this spec if it needs it after freeing it
        String clipSpec = "random";
        ClipTextEncoder clip = cfg.isText() ? ClipTextEncoder.load(clipSpec) : null;
        cfg = TrainingRun.adapt(cfg, data, clip);
        var conditioner = TrainingRun.trainingConditioner(cfg, clip, clipSpec, data);
        DitNetwork model = TrainingRun.newModel(cfg, 0, conditioner, data);
        Path dir = tempDir();
        try {
            Trainer trainer = new Trainer(model, preset.train().toBuilder().batch(batch).steps(1_000_000).build(),
                    data, conditioner, dir, null)
                    .progress(new dev.t2i.train.TrainingProgress(new PrintStream(java.io.OutputStream.nullOutputStream()),
                            false, 1))
                    // as `t2i train` runs: the steps' peak is the real runs'
                    .housekeeping(dev.t2i.runtime.ProcessHousekeeping::afterStep);
            // what the steps add to the set-up (CLIP, data, model), apart from the process's peak
            Measure.report("setup_peak_rss_mb", Measure.peakRssMb(), "MB");
            boolean stepsAlone = Measure.resetPeakRss();
            Measure.Times t = Measure.median(warmup, reps, trainer::runStep);
            if (stepsAlone) {
                Measure.report("steps_peak_rss_mb", Measure.recentPeakRssMb(), "MB");
            }
            Measure.report("train_step_ms", t.wallSeconds() * 1000, "ms");
            Measure.report("train_step_cpu_ms", t.cpuSeconds() * 1000, "ms");
            Measure.report("train_images_per_s", batch / t.wallSeconds(), "images/s");
            if (profile) {
                Graphs.prepareGradients(model.graph());
                Measure.profile(model.graph().getFunction("grad"), reps, trainer::runStep);
            }
        } finally {
            deleteQuietly(dir);
        }
    }

    /** {@code n} random images of the model's size, ten classes with the reference's captions. */
    static CaptionedImages randomImages(DitConfig cfg, int n) {
        int s = cfg.imgSize();
        byte[] pixels = new byte[n * cfg.inChannels() * s * s];
        new SplittableRandom(1).nextBytes(pixels);
        List<String> classes = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                "truck");
        List<String> captions = new ArrayList<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes.size();
            String c = classes.get(labels[i]);
            captions.add("a photo of " + ("aeiou".indexOf(c.charAt(0)) >= 0 ? "an " : "a ") + c);
        }
        return new CaptionedImages("random", s, s, pixels, captions, labels, classes, List.of());
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("t2i-bench");
        } catch (IOException e) {
            throw new dev.t2i.T2iException("cannot create a temporary folder: " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a left-over empty temp folder is harmless
        }
    }
}
