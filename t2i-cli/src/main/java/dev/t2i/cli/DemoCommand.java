package dev.t2i.cli;

import dev.t2i.config.Preset;
import dev.t2i.data.shapes.ShapePrompt;
import dev.t2i.data.shapes.ShapesDataset;
import dev.t2i.eval.AdherenceScore;
import dev.t2i.sampling.SampleGrids;
import dev.t2i.sampling.SamplingOptions;
import dev.t2i.train.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code t2i demo}: text-to-image end to end on the built-in captioned shapes, offline, in
 * minutes: generate the data, train through the same {@link TrainingRun} as {@code t2i train},
 * sample every caption with CFG, and score prompt adherence with the shape detector, for the
 * colour–shape pairs seen in training and for the held-out ones.
 */
final class DemoCommand implements Command {
    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "train and sample on built-in captioned shapes, offline, and score prompt adherence";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.value("out", "DIR", "run folder (default runs/demo)"))
                .addOption(Args.value("clip", "PATH", "CLIP folder or converted file (default: seeded untrained CLIP)"))
                .addOption(Args.value("steps", "N", "training steps (default from the shapes preset)"))
                .addOption(Args.value("batch", "N", "images per step"))
                .addOption(Args.value("images", "N", "training images to generate (default 6000)"))
                .addOption(Args.value("samples", "N", "images sampled per caption for the score (default 8)"))
                .addOption(Args.value("sample-steps", "N", "sampling steps (default from the preset)"))
                .addOption(Args.value("cfg", "W", "guidance scale (default from the preset)"))
                .addOption(Args.value("seed", "N", "seed (default 0)"))
                .addOption(Args.value("config", "FILE", "another preset file instead of the built-in shapes preset"))
                .addOption(Args.flag("resume", "continue the run in --out from its newest checkpoint (a finished run"
                        + " is only sampled and scored again, e.g. with another --cfg)"));
    }

    @Override
    public int run(CommandLine cmd) {
        long t0 = System.nanoTime();
        Path runDir = Path.of(cmd.getOptionValue("out", "runs/demo"));
        Preset preset = cmd.hasOption("config") ? Preset.file(Path.of(cmd.getOptionValue("config")))
                : Preset.named("shapes");
        int images = Args.intValue(cmd, "images", 6000);
        // the sampling settings the score is taken with: bundles of this run default to them
        Preset.SampleDefaults sample = new Preset.SampleDefaults(
                Args.intValue(cmd, "sample-steps", preset.sample().steps()),
                Args.doubleValue(cmd, "cfg", preset.sample().cfg()), preset.sample().sampler(),
                preset.sample().cfgInterval());
        TrainingRun run = TrainingRun.builder(runDir)
                .preset(preset)
                .overrides(TrainingRun.Overrides.builder()
                        .batch(Args.intValue(cmd, "batch"))
                        .steps(Args.intValue(cmd, "steps"))
                        .seed(Args.longValue(cmd, "seed"))
                        .build())
                .data(o -> ShapesDataset.generate(ShapesDataset.Split.TRAIN, images, o.imageSize(), o.seed()))
                .clip(cmd.getOptionValue("clip"))
                .resume(cmd.hasOption("resume"))
                // this process is the trainer's own: it may trim and collect (library code does not)
                .housekeeping(dev.t2i.runtime.ProcessHousekeeping::afterStep)
                .sampleDefaults(sample)
                .sampleGrids(false)
                .provenance("command", "demo")
                .provenance("held_out_pairs", ShapesDataset.HELD_OUT.stream().map(ShapePrompt::caption).toList())
                .build();
        System.err.printf("demo: %s; training a %,d-parameter DiT for %d steps%n", run.data(),
                run.model().parameterCount(), run.trainer().totalSteps());
        StopOnSignal.train(run);
        double trainSecs = (System.nanoTime() - t0) / 1e9;

        List<String> captions = ShapePrompt.all().stream().map(ShapePrompt::caption).toList();
        SamplingOptions opts = new SamplingOptions(sample.steps(), sample.cfg(), run.trainer().config().seed(),
                sample.sampler(), Args.intValue(cmd, "samples", 8), null, sample.cfgInterval()).validate();
        List<INDArray> grid = new ArrayList<>();
        run.withEmaWeights(() -> grid.add(SampleGrids.write(run.generator(), captions, null, null, opts,
                runDir.resolve("samples.png"), opts.imagesPerPrompt())));
        List<String> rowCaptions = new ArrayList<>();
        for (String c : captions) {
            for (int k = 0; k < opts.imagesPerPrompt(); k++) {
                rowCaptions.add(c);
            }
        }
        AdherenceScore.Report report = AdherenceScore.scoreCaptions(rowCaptions, grid.get(0));
        double totalSecs = (System.nanoTime() - t0) / 1e9;
        System.out.println(report.summary());
        System.out.println(report.confusionSummary());
        System.out.printf(Locale.ROOT, "held-out pairs: %s%n",
                ShapesDataset.HELD_OUT.stream().map(ShapePrompt::caption).toList());
        System.out.printf(Locale.ROOT, "run folder: %s (samples.png, loss.png, metrics.csv, checkpoints/)%n", runDir);
        System.out.printf(Locale.ROOT, "time: %.0f s training, %.0f s total%n", trainSecs, totalSecs);
        System.out.printf(Locale.ROOT, "adherence_seen %.2f%n", report.seen());
        System.out.printf(Locale.ROOT, "adherence_heldout %.2f%n", report.heldOut());
        return 0;
    }
}
