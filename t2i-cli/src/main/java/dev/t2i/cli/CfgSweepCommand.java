package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.api.GridParameters;
import dev.t2i.image.ImageGrid;
import dev.t2i.image.Images;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SampleGrids;
import dev.t2i.sampling.SamplingOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code t2i cfg-sweep}: one prompt at several guidance scales from the same noise. */
final class CfgSweepCommand implements Command {
    @Override
    public String name() {
        return "cfg-sweep";
    }

    @Override
    public String summary() {
        return "one prompt at several guidance scales, same noise for every scale (a grid PNG)";
    }

    @Override
    public String usage() {
        return "--model PATH --prompt P [--scales 1,3,5,7.5,10,15] [--n 4] --out FILE.png";
    }

    @Override
    public Options options() {
        return SampleCommand.common()
                .addOption(Args.required("prompt", "TEXT", "the prompt"))
                .addOption(Args.value("scales", "LIST", "comma-separated guidance scales (default 1,3,5,7.5,10,15)"))
                .addOption(Args.value("n", "N", "images per scale (default 4)"))
                .addOption(Args.required("out", "FILE", "grid PNG: one row per scale"));
    }

    @Override
    public int run(CommandLine cmd) {
        SampleCommand.Loaded loaded = SampleCommand.load(cmd);
        ImageGenerator gen = loaded.generator();
        String prompt = cmd.getOptionValue("prompt");
        loaded.warnAboutPrompts(List.of(prompt));
        List<Double> scales = new ArrayList<>();
        for (String s : cmd.getOptionValue("scales", "1,3,5,7.5,10,15").split(",")) {
            try {
                scales.add(Double.parseDouble(s.trim()));
            } catch (NumberFormatException e) {
                throw new T2iException("--scales needs comma-separated numbers, got '" + s + "'");
            }
        }
        int n = Args.intValue(cmd, "n", 4);
        SamplingOptions base = SampleCommand.sampling(cmd, loaded.defaults());
        base = base.withImagesPerPrompt(n);
        List<BufferedImage> pics = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<GridParameters.Cell> cells = new ArrayList<>();
        for (double w : scales) {
            // the seed fixes the noise, so each row differs only by the scale
            pics.addAll(Images.toBufferedImages(gen.generate(List.of(prompt), null, base.withCfgScale(w))));
            for (int i = 0; i < n; i++) {
                captions.add("cfg " + w);
                cells.add(new GridParameters.Cell(prompt, base.seed() + i, w));
            }
        }
        Path out = Path.of(cmd.getOptionValue("out"));
        int size = gen.model().config().imgSize();
        GridParameters grid = new GridParameters(SampleSupport.parameters(prompt, base, base.seed(), size,
                SampleSupport.identity(cmd, gen), null, 1.0), n, cells);
        SampleSupport.writePng(out, ImageGrid.render(pics, captions, n, SampleGrids.scale(size), title(prompt, base)),
                grid);
        System.out.println("wrote " + out + " (" + prompt + ", scales " + scales + ")");
        return 0;
    }

    /** The figure's title: the prompt, and what every row shares. */
    static String title(String prompt, SamplingOptions opts) {
        return "guidance sweep of \"" + prompt + "\": one row per scale, seed " + opts.seed() + ", " + opts.steps()
                + " " + opts.sampler().id() + " steps";
    }
}
