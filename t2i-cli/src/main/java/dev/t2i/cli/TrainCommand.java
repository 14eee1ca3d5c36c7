package dev.t2i.cli;

import dev.t2i.config.Preset;
import dev.t2i.data.DatasetOptions;
import dev.t2i.data.sources.DatasetLoader;
import dev.t2i.dit.DitConfig;
import dev.t2i.train.Trainer;
import dev.t2i.train.TrainingRun;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code t2i train}: flow-matching training of a DiT on captioned (or labelled) images, through {@link TrainingRun}. */
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
    public int run(CommandLine cmd) {
        Path runDir = Path.of(cmd.getOptionValue("out", "runs/train"));
        Preset preset = cmd.hasOption("config") ? Preset.file(Path.of(cmd.getOptionValue("config")))
                : Preset.resolve(cmd.getOptionValue("preset", "seed"));
        DatasetOptions dataOptions = DatasetOptions.defaults().withSplit(cmd.getOptionValue("split", "train"));
        if (cmd.hasOption("limit")) {
            dataOptions = dataOptions.withLimit(Args.intValue(cmd, "limit"));
        }
        String data = cmd.getOptionValue("data");
        TrainingRun run = TrainingRun.builder(runDir)
                .preset(preset)
                .variant(cmd.hasOption("variant") ? DitConfig.Variant.of(cmd.getOptionValue("variant")) : null)
                .overrides(TrainingRun.Overrides.builder()
                        .batch(Args.intValue(cmd, "batch"))
                        .steps(Args.intValue(cmd, "steps"))
                        .epochs(Args.intValue(cmd, "epochs"))
                        .lr(Args.doubleValue(cmd, "lr"))
                        .seed(Args.longValue(cmd, "seed"))
                        .checkpointEvery(Args.intValue(cmd, "checkpoint-every"))
                        .sampleEvery(Args.intValue(cmd, "sample-every"))
                        .timeLimit(cmd.getOptionValue("time-limit"))
                        .build())
                .data(options -> DatasetLoader.open(data, options))
                .dataOptions(dataOptions)
                .clip(cmd.getOptionValue("clip"))
                .resume(cmd.hasOption("resume"))
                // this process is the trainer's own: it may trim and collect (library code does not)
                .housekeeping(dev.t2i.runtime.ProcessHousekeeping::afterStep)
                .build();
        Trainer trainer = run.trainer();
        System.err.printf("training %s DiT (%,d parameters) on %s, %d steps of %d%n", run.model().config().variant(),
                run.model().parameterCount(), run.data(), trainer.totalSteps(), trainer.config().batch());
        StopOnSignal.train(run);
        System.err.println("done at step " + trainer.step() + ": checkpoints in " + runDir.resolve("checkpoints")
                + ", metrics.csv, loss.png");
        return 0;
    }
}
