package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GridParameters;
import dev.t2i.api.ModelIdentity;
import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.TrainingCaptions;
import dev.t2i.dit.DitNetwork;
import dev.t2i.image.ImageGrid;
import dev.t2i.image.Images;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SampleGrids;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import dev.t2i.train.LoadedRun;
import dev.t2i.train.RunState;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code t2i sample}: images from prompts with classifier-free guidance. */
final class SampleCommand implements Command {
    @Override
    public String name() {
        return "sample";
    }

    @Override
    public String summary() {
        return "generate images from prompts (Euler or Heun, CFG in one batch, EMA weights when present)";
    }

    @Override
    public String usage() {
        return "--model RUN_DIR|FILE --prompt P [--prompt P2 ...] [--steps N] [--cfg W] [--seed S] --out FILE.png"
                + " | --from IMAGE.png --out FILE.png";
    }

    static Options common() {
        return new Options()
                .addOption(Args.required("model", "PATH", "run folder (newest checkpoint), checkpoint .t2i file or"
                        + " bundle from 't2i bundle'"))
                .addOption(Args.value("clip", "PATH", "text encoder to use instead of the one the run recorded"))
                .addOption(Args.value("weights", "ema|live", "the run's EMA weights (default, where it kept them) or"
                        + " its live weights"))
                .addOption(Args.value("steps", "N", "integration steps (default: the run's or bundle's, else 50)"))
                .addOption(Args.value("seed", "N", "noise seed (default 0); image k gets seed + k"))
                .addOption(Args.value("sampler", "NAME", "euler or heun (default: the run's or bundle's, else euler)"))
                .addOption(Args.value("cfg-interval", "FROM,TO", "guide only at times t in [FROM, TO] (1 is noise,"
                        + " 0 the image), e.g. 0.2,0.85 (default: the run's or bundle's, else 0,1: every step)"))
                .addOption(Args.value("negative", "TEXT", "negative prompt in place of the null text"))
                .addOption(Args.value("guide-scale", "W", "autoguidance: how far to extrapolate away from the run's"
                        + " guide model (default: the run's or bundle's, else 1: none)"))
                .addOption(Args.value("guide-model", "FILE", "an earlier checkpoint of the same run to guide with,"
                        + " instead of the run's guide.t2i"));
    }

    @Override
    public Options options() {
        return SampleSupport.addImageOptions(common())
                .addOption(Args.values("prompt", "TEXT", "a prompt"))
                .addOption(Args.values("label", "N", "a class index (class-conditional models)"))
                .addOption(Args.value("cfg", "W", "guidance scale (default: the run's or bundle's, else 7.5)"))
                .addOption(Args.value("n", "N", "images per prompt (default 1)"))
                .addOption(Args.required("out", "FILE", "the PNG (one image, or a grid of several), parameters inside; a folder with --separate"))
                .addOption(Args.flag("separate", "write one PNG per image, parameters inside, into the --out folder"));
    }

    /** The options given on the command line; those not given come from {@code defaults}. */
    static SamplingOptions sampling(CommandLine cmd, SamplingOptions defaults) {
        return sampling(cmd, defaults, Args.intValue(cmd, "n", 1));
    }

    /** As {@link #sampling(CommandLine, SamplingOptions)} for commands whose --n means something else. */
    static SamplingOptions sampling(CommandLine cmd, SamplingOptions defaults, int imagesPerPrompt) {
        return new SamplingOptions(Args.intValue(cmd, "steps", defaults.steps()),
                Args.doubleValue(cmd, "cfg", defaults.cfgScale()),
                Args.longValue(cmd, "seed") == null ? 0 : Args.longValue(cmd, "seed"),
                cmd.hasOption("sampler") ? Sampler.parse(cmd.getOptionValue("sampler")) : defaults.sampler(),
                imagesPerPrompt, cmd.getOptionValue("negative"),
                cmd.hasOption("cfg-interval") ? GuidanceInterval.parse(cmd.getOptionValue("cfg-interval"))
                        : defaults.cfgInterval(),
                Args.doubleValue(cmd, "guide-scale", defaults.guideScale())).validate();
    }

    /**
     * A loaded model; {@code state} is the run's progress where a run folder or checkpoint was named
     * (null for a bundle); {@code captions} what it was trained on, as far as it recorded.
     */
    record Loaded(ImageGenerator generator, SamplingOptions defaults, RunState state, TrainingCaptions captions) {

        /**
         * Prints a warning for each distinct prompt the model may not understand (an untrained text
         * encoder and a prompt that is none of its training captions).
         */
        void warnAboutPrompts(List<String> prompts) {
            for (String prompt : new LinkedHashSet<>(prompts)) {
                captions.warning(prompt).ifPresent(w -> System.err.println("warning: " + w
                        + " ('t2i info --model' lists them)"));
            }
        }
    }

    /** The model named by --model (bundle, run folder or checkpoint) with its recorded defaults. */
    static Loaded load(CommandLine cmd) {
        Bundle bundle = bundle(cmd);
        if (bundle != null) {
            if (cmd.hasOption("weights")) {
                throw new T2iException("a bundle holds one set of weights; drop --weights (choose them when bundling)");
            }
            if (cmd.hasOption("guide-model")) {
                throw new T2iException("a bundle carries its own guide model, if any; drop --guide-model");
            }
            BundleManifest.Source source = bundle.manifest().source();
            return new Loaded(bundle.generator(), bundle.defaultOptions(0), null, TrainingCaptions.of(
                    source == null ? null : source.trainingCaptions(), bundle.clip().isRandom()));
        }
        // a guide model named on the command line replaces the run's, which is then not loaded at all
        boolean ownGuide = cmd.hasOption("guide-model");
        LoadedRun m = LoadedRun.load(Path.of(cmd.getOptionValue("model")),
                LoadedRun.Weights.parse(cmd.getOptionValue("weights", "ema")), !ownGuide);
        DitNetwork guide = m.guide();
        if (ownGuide) {
            guide = LoadedRun.load(Path.of(cmd.getOptionValue("guide-model")), LoadedRun.Weights.EMA).model();
            if (!cmd.hasOption("guide-scale") && m.sample().guideScale() == 1.0) {
                System.err.println("warning: --guide-model is not used at this run's default guide scale of 1; add"
                        + " --guide-scale 2");
            }
        }
        ImageGenerator generator = new ImageGenerator(m.model(), m.conditioner(cmd.getOptionValue("clip")), guide);
        TrainingCaptions captions = TrainingCaptions.of(LoadedRun.recordedCaptions(Path.of(cmd.getOptionValue("model"))),
                ClipTextEncoder.isRandomSpec(cmd.getOptionValue("clip", m.clipSpec())));
        return new Loaded(generator, m.defaultOptions(0), m.state(), captions);
    }

    static ImageGenerator generator(CommandLine cmd) {
        return load(cmd).generator();
    }

    /** The bundle named by --model, or null when it names a run folder or checkpoint. */
    static Bundle bundle(CommandLine cmd) {
        Path path = Path.of(cmd.getOptionValue("model"));
        if (!Bundle.isBundle(path)) {
            return null;
        }
        if (cmd.hasOption("clip")) {
            throw new T2iException("a bundle carries its own text encoder; drop --clip");
        }
        return Bundle.read(path);
    }

    /**
     * Images per grid row: one row per prompt when there are several images per prompt (so that
     * rows never mix prompts), else up to 8.
     */
    static int columns(int images, int perPrompt) {
        return perPrompt > 1 ? perPrompt : Math.min(8, images);
    }

    @Override
    public int run(CommandLine cmd) {
        GenerationParameters from = SampleSupport.from(cmd);
        String[] prompts = from != null ? new String[] {from.prompt()} : cmd.getOptionValues("prompt");
        String[] labelArgs = cmd.getOptionValues("label");
        Loaded loaded = load(cmd);
        ImageGenerator gen = loaded.generator();
        boolean classModel = gen.model().config().isClass();
        if (classModel ? labelArgs == null : prompts == null) {
            throw new T2iException(classModel ? "give at least one --label N" : "give at least one --prompt TEXT");
        }
        int[] labels = classModel ? Arrays.stream(labelArgs).mapToInt(Integer::parseInt).toArray() : null;
        List<String> promptList = classModel ? null : Arrays.asList(prompts);
        if (promptList != null) {
            loaded.warnAboutPrompts(promptList);
        }
        SamplingOptions opts = from != null ? SampleSupport.options(cmd, from) : sampling(cmd, loaded.defaults());
        int size = gen.model().config().imgSize();
        BufferedImage init = SampleSupport.initImage(cmd, from, size);
        double strength = SampleSupport.strength(cmd, from, init);
        ModelIdentity identity = SampleSupport.identity(cmd, gen);
        SampleSupport.checkModel(from, identity);
        long t0 = System.nanoTime();
        INDArray images = SampleSupport.stoppable(monitor -> gen.generate(promptList, labels, opts,
                SampleSupport.tensor(init), strength, monitor), SampleSupport.stepBar("sampling"));
        if (images == null) {
            return 130;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        List<BufferedImage> pics = Images.toBufferedImages(images);
        List<String> captions = new ArrayList<>();
        int count = classModel ? labels.length : prompts.length;
        // bundles hold text models only, so a class model comes from a run folder or checkpoint
        List<String> classNames = classModel
                ? LoadedRun.recordedClassNames(Path.of(cmd.getOptionValue("model"))) : null;
        for (int p = 0; p < count; p++) {
            for (int k = 0; k < opts.imagesPerPrompt(); k++) {
                captions.add(classModel ? SampleGrids.className(labels[p], classNames) : prompts[p]);
            }
        }
        Path out = Path.of(cmd.getOptionValue("out"));
        if (pics.size() == 1 && !cmd.hasOption("separate")) {
            // the image itself, not a captioned grid of one, with its parameters inside: `sample
            // --from` makes the same bytes again
            SampleSupport.writePng(out, pics.get(0),
                    SampleSupport.parameters(captions.get(0), opts, opts.seed(), size, identity, init, strength));
        } else if (cmd.hasOption("separate")) {
            for (int i = 0; i < pics.size(); i++) {
                SampleSupport.writePng(out.resolve(String.format("image-%03d.png", i)), pics.get(i),
                        SampleSupport.parameters(captions.get(i), opts, opts.seed() + i, size, identity, init,
                                strength));
            }
        } else {
            int columns = columns(pics.size(), opts.imagesPerPrompt());
            List<GridParameters.Cell> cells = new ArrayList<>();
            for (int i = 0; i < pics.size(); i++) {
                cells.add(new GridParameters.Cell(captions.get(i), opts.seed() + i));
            }
            GridParameters grid = new GridParameters(
                    SampleSupport.parameters(captions.get(0), opts, opts.seed(), size, identity, init, strength),
                    columns, cells);
            SampleSupport.writePng(out, ImageGrid.render(pics, captions, columns, SampleGrids.scale(size)), grid);
        }
        System.out.printf("wrote %d images to %s (%.1f s, %d %s steps, cfg %.2f, seeds %d..%d%s)%n", pics.size(), out,
                secs, opts.steps(), opts.sampler().id(), opts.cfgScale(), opts.seed(),
                opts.seed() + pics.size() - 1, init == null ? "" : ", strength " + strength);
        return 0;
    }
}
