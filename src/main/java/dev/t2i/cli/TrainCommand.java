package dev.t2i.cli;

import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.Conditioner;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetLoader;
import dev.t2i.data.DatasetOptions;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code t2i train}: flow-matching training of a DiT on captioned (or labelled) images. */
final class TrainCommand implements Command {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a DiT with flow matching (checkpoints, metrics.csv, loss curve, sample grids)";
    }

    @Override
    public String usage() {
        return "--data SPEC [--preset NAME | --config FILE] [--clip PATH|random] [--out RUN_DIR] [--resume]";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.required("data", "SPEC", "cifar-10-batches-bin/ folder, cifar-10-binary.tar.gz,"
                        + " image folder or .zip (<split>/<class>/*.png|jpg), .jsonl manifest, or 'shapes'"))
                .addOption(Args.value("split", "NAME", "split to train on (default train)"))
                .addOption(Args.value("limit", "N", "use at most N images"))
                .addOption(Args.value("preset", "NAME", "preset: " + String.join(", ", Preset.NAMES)
                        + " or a YAML file (default seed)"))
                .addOption(Args.value("config", "FILE", "preset file (YAML/JSON) instead of --preset"))
                .addOption(Args.value("variant", "V", "text (default), class or unconditional"))
                .addOption(Args.value("clip", "PATH", "CLIP folder, converted file, or random[:SEED] (default random)"))
                .addOption(Args.value("epochs", "N", "passes over the data"))
                .addOption(Args.value("steps", "N", "optimiser steps (overrides epochs)"))
                .addOption(Args.value("batch", "N", "images per step"))
                .addOption(Args.value("lr", "X", "peak learning rate"))
                .addOption(Args.value("seed", "N", "seed of every random draw (default 0)"))
                .addOption(Args.value("time-limit", "DURATION", "wall-time budget of the training loop, e.g. 55m or"
                        + " 1h: the schedule decays to zero by then and the run ends with a checkpoint"))
                .addOption(Args.value("sample-every", "N", "steps between sample grids in samples/ (0: none)"))
                .addOption(Args.value("checkpoint-every", "N", "steps between checkpoints"))
                .addOption(Args.value("out", "DIR", "run folder (default runs/train)"))
                .addOption(Args.flag("resume", "continue the run in --out from its newest checkpoint"));
    }

    @Override
    public int run(CommandLine cmd) throws InterruptedException {
        Path runDir = Path.of(cmd.getOptionValue("out", "runs/train"));
        boolean resume = cmd.hasOption("resume");
        Preset preset = cmd.hasOption("config") ? Preset.file(Path.of(cmd.getOptionValue("config")))
                : Preset.resolve(cmd.getOptionValue("preset", "seed"));
        TrainConfig train = preset.train().with(Args.intValue(cmd, "batch"), Args.intValue(cmd, "steps"),
                Args.intValue(cmd, "epochs"), Args.doubleValue(cmd, "lr"), Args.longValue(cmd, "seed")).validate();
        DitConfig cfg = preset.model();
        if (cmd.hasOption("variant")) {
            cfg = cfg.withVariant(cmd.getOptionValue("variant")).validate();
        }
        Checkpoint resumed = TrainSetup.resumeOrRefuse(runDir, resume);
        if (resumed != null) {
            cfg = resumed.model().config();
            train = resumed.state().train().with(null, Args.intValue(cmd, "steps"), Args.intValue(cmd, "epochs"), null,
                    null);
        }
        train = TrainSetup.intervalsAndBudget(cmd, train);
        String clipSpec = TrainSetup.clipSpec(cmd, resumed);

        DatasetOptions dataOptions = DatasetOptions.defaults().withSplit(cmd.getOptionValue("split", "train"))
                .withImageSize(cfg.imgSize()).withSeed(train.seed());
        if (cmd.hasOption("limit")) {
            dataOptions = dataOptions.withLimit(Args.intValue(cmd, "limit"));
        }
        CaptionedImages data = DatasetLoader.open(cmd.getOptionValue("data"), dataOptions);
        ClipTextEncoder clip = TrainSetup.clip(cfg, clipSpec);
        cfg = TrainSetup.adapt(cfg, data, clip);
        Conditioner conditioner = TrainSetup.trainingConditioner(cfg, clip, clipSpec, data);
        DitModel model = resumed != null ? resumed.model() : DitGraph.build(cfg, train.seed());

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("preset", preset.description());
        run.put("model", cfg);
        run.put("train", train);
        run.put("data", data.toString());
        run.put("data_warnings", data.warnings());
        run.put("clip", clipSpec);
        run.put("parameters", model.parameterCount());
        run.put("sample", preset.sample());
        if (cfg.isClass()) {
            run.put("class_names", data.classNames()); // so that sample grids name classes, not numbers
        }
        if (!resume) {
            TrainSetup.provenance(runDir, run);
        }
        Trainer trainer = new Trainer(model, train, data, conditioner, runDir, cfg.isText() ? clipSpec : null)
                .sampleDefaults(TrainSetup.sampleDefaults(preset, resumed));
        TrainSetup.restore(trainer, resumed, runDir);
        System.err.printf("training %s DiT (%,d parameters) on %s, %d steps of %d%n", cfg.variant(),
                model.parameterCount(), data, trainer.totalSteps(), train.batch());

        List<String> prompts = samplePrompts(data);
        boolean classModel = cfg.isClass();
        ImageGenerator generator = new ImageGenerator(model, conditioner);
        Preset.SampleDefaults defaults = TrainSetup.sampleDefaults(preset, resumed);
        SamplingOptions sampling = new SamplingOptions(defaults.steps(), defaults.cfg(), 0,
                Sampler.parse(defaults.sampler()), 1, null);
        trainer.onSample(step -> withEma(trainer, model, () -> TrainSetup.sampleGrid(generator,
                classModel ? null : prompts, classModel ? labels(data) : null, data.classNames(), sampling,
                runDir.resolve("samples").resolve(String.format("step-%08d.png", step)), 5)));

        TrainSetup.runUntilDoneOrStopped(trainer);
        Path loss = TrainSetup.lossCurve(runDir);
        System.err.println("done at step " + trainer.step() + ": checkpoints in " + runDir.resolve("checkpoints")
                + ", metrics.csv, " + loss.getFileName());
        return 0;
    }

    /** Runs {@code body} with the EMA weights in place (when the run keeps them), then restores. */
    static void withEma(Trainer trainer, DitModel model, Runnable body) {
        Map<String, INDArray> ema = trainer.emaWeights();
        if (ema == null) {
            body.run();
            return;
        }
        Map<String, INDArray> live = new LinkedHashMap<>();
        ema.keySet().forEach(k -> live.put(k, model.graph().getArrForVarName(k).dup()));
        model.setWeights(ema);
        try {
            body.run();
        } finally {
            model.setWeights(live);
        }
    }

    private static List<String> samplePrompts(CaptionedImages data) {
        return data.captions().stream().distinct().limit(10).toList();
    }

    private static int[] labels(CaptionedImages data) {
        return java.util.stream.IntStream.range(0, Math.min(10, data.classNames().size())).toArray();
    }
}
