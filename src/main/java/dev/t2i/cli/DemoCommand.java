package dev.t2i.cli;

import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.Conditioner;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.shapes.AdherenceScore;
import dev.t2i.data.shapes.ShapePrompt;
import dev.t2i.data.shapes.ShapesDataset;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitModel;
import dev.t2i.flow.Checkpoint;
import dev.t2i.flow.Preset;
import dev.t2i.flow.TrainConfig;
import dev.t2i.flow.Trainer;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code t2i demo}: text-to-image end to end on the built-in captioned shapes, offline, in
 * minutes: generate the data, train through the same {@link Trainer} as {@code t2i train},
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
        TrainConfig train = preset.train().with(Args.intValue(cmd, "batch"), Args.intValue(cmd, "steps"), null, null,
                Args.longValue(cmd, "seed")).validate();
        DitConfig cfg = preset.model();
        Checkpoint resumed = TrainSetup.resumeOrRefuse(runDir, cmd.hasOption("resume"));
        if (resumed != null) {
            cfg = resumed.model().config();
            train = resumed.state().train().with(null, Args.intValue(cmd, "steps"), null, null, null).validate();
        }
        CaptionedImages data = ShapesDataset.generate(ShapesDataset.Split.TRAIN, Args.intValue(cmd, "images", 6000),
                cfg.imgSize(), train.seed());
        String clipSpec = TrainSetup.clipSpec(cmd, resumed);
        ClipTextEncoder clip = TrainSetup.clip(cfg, clipSpec);
        cfg = TrainSetup.adapt(cfg, data, clip);
        Conditioner conditioner = TrainSetup.trainingConditioner(cfg, clip, clipSpec, data);
        DitModel model = resumed != null ? resumed.model() : DitGraph.build(cfg, train.seed());

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("command", "demo");
        run.put("model", cfg);
        run.put("train", train);
        run.put("data", data.toString());
        run.put("held_out_pairs", ShapesDataset.HELD_OUT.stream().map(ShapePrompt::caption).toList());
        run.put("clip", clipSpec);
        // the sampling settings the score was taken with: bundles of this run default to them
        run.put("sample", new Preset.SampleDefaults(Args.intValue(cmd, "sample-steps", preset.sample().steps()),
                Args.doubleValue(cmd, "cfg", preset.sample().cfg()), preset.sample().sampler()));
        if (resumed == null) {
            TrainSetup.provenance(runDir, run);
        }
        System.err.printf("demo: %s; training a %,d-parameter DiT for %d steps%n", data, model.parameterCount(),
                train.totalSteps(data.size()));

        Trainer trainer = new Trainer(model, train, data, conditioner, runDir, clipSpec)
                .sampleDefaults((Preset.SampleDefaults) run.get("sample"));
        TrainSetup.restore(trainer, resumed, runDir);
        TrainSetup.runUntilDoneOrStopped(trainer);
        double trainSecs = (System.nanoTime() - t0) / 1e9;
        TrainSetup.lossCurve(runDir);

        List<String> captions = ShapePrompt.all().stream().map(ShapePrompt::caption).toList();
        SamplingOptions opts = new SamplingOptions(Args.intValue(cmd, "sample-steps", preset.sample().steps()),
                Args.doubleValue(cmd, "cfg", preset.sample().cfg()), train.seed(),
                Sampler.parse(preset.sample().sampler()), Args.intValue(cmd, "samples", 8), null).validate();
        ImageGenerator gen = new ImageGenerator(model, conditioner);
        List<INDArray> images = new ArrayList<>();
        TrainCommand.withEma(trainer, model, () -> images.add(TrainSetup.sampleGrid(gen, captions, null, opts,
                runDir.resolve("samples.png"), opts.imagesPerPrompt())));
        List<String> rowCaptions = new ArrayList<>();
        for (String c : captions) {
            for (int k = 0; k < opts.imagesPerPrompt(); k++) {
                rowCaptions.add(c);
            }
        }
        AdherenceScore.Report report = AdherenceScore.scoreCaptions(rowCaptions, images.get(0));
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
