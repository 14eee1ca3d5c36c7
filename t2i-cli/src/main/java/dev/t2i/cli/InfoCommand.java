package dev.t2i.cli;

import dev.t2i.LogText;
import dev.t2i.T2iException;
import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GridParameters;
import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.config.Preset;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.dit.ReferenceCheckpoint;
import dev.t2i.train.LoadedRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code t2i info}: architecture and parameter counts of a preset, config or model. */
final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "print a DiT's architecture and parameter counts per module";
    }

    @Override
    public String usage() {
        return "--preset NAME | --config FILE | --model PATH | --image PNG";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.value("preset", "NAME", "a preset: " + String.join(", ", Preset.NAMES)
                        + ", or a YAML file"))
                .addOption(Args.value("config", "FILE", "a preset file (YAML/JSON) or a reference config.json"))
                .addOption(Args.value("model", "PATH", "a run folder, checkpoint, bundle, or reference checkpoint folder"))
                .addOption(Args.value("variant", "V", "show another family member: text, class, unconditional"))
                .addOption(Args.value("image", "PNG", "print the generation parameters inside a PNG t2i wrote"));
    }

    @Override
    public int run(CommandLine cmd) {
        if (cmd.hasOption("image")) {
            return printImage(Path.of(cmd.getOptionValue("image")));
        }
        Described described = load(cmd);
        DitNetwork model = described.model();
        DitConfig c = model.config();
        System.out.printf("%s DiT: img %d, patch %d (%d tokens), channels %d, width %d, depth %d, heads %d,"
                + " mlp ratio %.1f%s, adaLN %s%n", c.variant(), c.imgSize(), c.patchSize(), c.tokens(), c.inChannels(),
                c.embedDim(), c.depth(), c.numHeads(), c.mlpRatio(),
                c.isText() ? ", context " + c.contextLen() + "x" + c.contextDim()
                        : c.isClass() ? ", classes " + c.numClasses() + " + null" : "",
                c.adaln() + (c.textPool() ? ", pooled text in adaLN" : ""));
        System.out.printf("graph: %d ops, %d variables%n", model.graph().getOps().size(),
                model.graph().variables().size());
        for (Map.Entry<String, Long> e : model.parameterCountsByModule().entrySet()) {
            System.out.printf("  %-16s %,12d%n", e.getKey(), e.getValue());
        }
        System.out.printf("  %-16s %,12d trainable parameters%n", "total", model.parameterCount());
        List<String> captions = described.captions();
        if (captions != null && !captions.isEmpty()) {
            System.out.printf("trained on %d captions:%n", captions.size());
            for (String caption : captions) {
                System.out.println("  " + LogText.quote(caption));
            }
        }
        return 0;
    }

    /** Prints an image's (or a grid's) {@code parameters} text, then its JSON. */
    private static int printImage(Path png) {
        GridParameters grid = GridParameters.fromPng(png);
        if (grid != null) {
            System.out.println(grid.parametersText());
            System.out.println();
            System.out.println(grid.json());
            return 0;
        }
        GenerationParameters p = GenerationParameters.fromPng(png);
        System.out.println(p.parametersText());
        System.out.println();
        System.out.println(p.json());
        return 0;
    }

    private static Described load(CommandLine cmd) {
        String variant = cmd.getOptionValue("variant");
        if (cmd.hasOption("model")) {
            Path p = Path.of(cmd.getOptionValue("model"));
            if (Files.isDirectory(p) && Files.exists(p.resolve("model.safetensors"))) {
                return new Described(ReferenceCheckpoint.load(p), null);
            }
            if (Bundle.isBundle(p)) {
                Bundle bundle = Bundle.read(p);
                BundleManifest.Source source = bundle.manifest().source();
                return new Described(bundle.dit(), source == null ? null : source.trainingCaptions());
            }
            return new Described(LoadedRun.load(p).model(), LoadedRun.recordedCaptions(p));
        }
        DitConfig cfg;
        if (cmd.hasOption("config")) {
            Path p = Path.of(cmd.getOptionValue("config"));
            cfg = p.getFileName().toString().equals("config.json") ? readReferenceConfig(p) : Preset.file(p).model();
        } else {
            cfg = Preset.resolve(cmd.getOptionValue("preset", "seed")).model();
        }
        if (variant != null) {
            cfg = cfg.withVariant(DitConfig.Variant.of(variant));
        }
        return new Described(DitGraph.build(cfg, 0), null);
    }

    /** A model to describe and the captions it was trained on (null where none are recorded). */
    private record Described(DitNetwork model, List<String> captions) {
    }

    private static DitConfig readReferenceConfig(Path p) {
        try {
            return dev.t2i.io.ModelArchive.JSON.readValue(p.toFile(), DitConfig.class);
        } catch (java.io.IOException e) {
            throw new T2iException("cannot read " + p + ": " + e.getMessage());
        }
    }
}
