package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.config.Preset;
import dev.t2i.dit.DitNetwork;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import dev.t2i.train.LoadedRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code t2i bundle}: packs a trained DiT (EMA weights when present), its CLIP text encoder and
 * default sampling settings into one verified file for the Java API and {@code t2i serve}.
 */
final class BundleCommand implements Command {
    @Override
    public String name() {
        return "bundle";
    }

    @Override
    public String summary() {
        return "pack a trained model, its CLIP and sampling defaults into one file for the API and server";
    }

    @Override
    public String usage() {
        return "--model RUN_DIR|FILE --out FILE.t2i [--clip PATH] [--steps N] [--cfg W]"
                + " [--cfg-interval FROM,TO] [--sampler NAME]";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.required("model", "PATH", "run folder (newest checkpoint) or checkpoint .t2i file"))
                .addOption(Args.required("out", "FILE", "the bundle to write"))
                .addOption(Args.value("clip", "PATH", "text encoder to pack (default: the one the run recorded)"))
                .addOption(Args.value("weights", "ema|live", "the run's EMA weights (default, where it kept them)"
                        + " or its live weights"))
                .addOption(Args.value("steps", "N", "default sampling steps (default: the run's, else 50)"))
                .addOption(Args.value("cfg", "W", "default guidance scale (default: the run's, else 7.5)"))
                .addOption(Args.value("sampler", "NAME", "default sampler, euler or heun (default: the run's, else"
                        + " euler)"))
                .addOption(Args.value("cfg-interval", "FROM,TO", "default guidance interval, times t in [FROM, TO]"
                        + " (default: the run's, else 0,1: every step)"))
                .addOption(Args.value("guide-scale", "W", "default autoguidance scale; above 1 packs the run's guide"
                        + " model (default: the run's, else 1: none)"));
    }

    @Override
    public int run(CommandLine cmd) throws IOException {
        Path modelPath = Path.of(cmd.getOptionValue("model"));
        Path out = Path.of(cmd.getOptionValue("out"));
        if (Files.exists(out) && Files.exists(modelPath) && Files.isSameFile(out, modelPath)) {
            throw new T2iException("--out " + out + " is the model being bundled; writing it would replace the"
                    + " checkpoint: pick another --out");
        }
        if (Bundle.isBundle(modelPath)) {
            throw new T2iException(modelPath + " is already a bundle; pass the run folder or checkpoint it came from");
        }
        LoadedRun trained = LoadedRun.load(modelPath,
                LoadedRun.Weights.parse(cmd.getOptionValue("weights", "ema")), true);
        if (!trained.model().config().isText()) {
            throw new T2iException("bundles hold text-conditional models; " + modelPath + " is a '"
                    + trained.model().config().variant() + "' DiT");
        }
        String clipSpec = cmd.getOptionValue("clip", trained.clipSpec());
        if (clipSpec == null) {
            throw new T2iException("this model does not record its text encoder; pass --clip PATH");
        }
        ClipTextEncoder clip = ClipTextEncoder.load(clipSpec);
        Preset.SampleDefaults recorded = trained.sample();
        Preset.SampleDefaults sampling = new Preset.SampleDefaults(Args.intValue(cmd, "steps", recorded.steps()),
                Args.doubleValue(cmd, "cfg", recorded.cfg()),
                cmd.hasOption("sampler") ? Sampler.parse(cmd.getOptionValue("sampler")) : recorded.sampler(),
                cmd.hasOption("cfg-interval") ? GuidanceInterval.parse(cmd.getOptionValue("cfg-interval"))
                        : recorded.cfgInterval(),
                Args.doubleValue(cmd, "guide-scale", recorded.guideScale()));
        Long step = trained.state() == null ? null : trained.state().step();
        // a bundle that never autoguides does not carry the guide model's weights
        DitNetwork guide = sampling.guideScale() == 1.0 ? null : trained.guide();
        BundleManifest manifest = Bundle.write(out, trained.model(), clip, guide, sampling,
                new BundleManifest.Source(modelPath.toString(), step, trained.usedEma(), clip.description(),
                        LoadedRun.recordedCaptions(modelPath)));
        long bytes;
        try {
            bytes = Files.size(out);
        } catch (IOException e) {
            bytes = -1;
        }
        System.out.printf(Locale.ROOT, "wrote %s (%.1f MB, format %d): DiT %,d parameters (%s%s), CLIP %s,"
                + " defaults %d %s steps at cfg %.2f%s%s%n", out, bytes / 1e6, manifest.formatVersion(),
                trained.model().parameterCount(), trained.usedEma() ? "EMA weights" : "live weights",
                step == null ? "" : ", step " + step,
                clip.isRebuildable() ? clip.description() + " (stored as its seed and shape, rebuilt on loading)"
                        : clip.description(), sampling.steps(), sampling.sampler(),
                sampling.cfg(), sampling.cfgInterval().full() ? "" : " for t in " + sampling.cfgInterval(),
                guide == null ? "" : String.format(Locale.ROOT, ", autoguidance %.2f (the run's guide model)",
                        sampling.guideScale()));
        return 0;
    }
}
