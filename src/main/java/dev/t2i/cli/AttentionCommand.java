package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.conditioning.Conditioning;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitModel;
import dev.t2i.image.Heatmap;
import dev.t2i.image.ImageGrid;
import dev.t2i.image.Images;
import dev.t2i.sampling.GuidedVelocity;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SamplingOptions;
import dev.t2i.tokenizer.Tokenization;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code t2i attention}: the cross-attention of the image patches to each prompt token, for one
 * block at one sampling step, averaged over heads; one map per token next to the final image.
 */
final class AttentionCommand implements Command {
    @Override
    public String name() {
        return "attention";
    }

    @Override
    public String summary() {
        return "cross-attention maps per prompt token for a chosen block and sampling step (PNG)";
    }

    @Override
    public String usage() {
        return "--model PATH --prompt P [--block B] [--at-step S] --out FILE.png";
    }

    @Override
    public Options options() {
        return SampleCommand.common()
                .addOption(Args.required("prompt", "TEXT", "the prompt"))
                .addOption(Args.value("cfg", "W", "guidance scale (default 7.5)"))
                .addOption(Args.value("block", "B", "block index (default: the last)"))
                .addOption(Args.value("at-step", "S", "sampling step whose attention is shown (default: the middle)"))
                .addOption(Args.required("out", "FILE", "PNG with the image and one map per token"));
    }

    @Override
    public int run(CommandLine cmd) {
        SampleCommand.Loaded loaded = SampleCommand.load(cmd);
        ImageGenerator gen = loaded.generator();
        DitModel model = gen.model();
        DitConfig cfg = model.config();
        if (!cfg.isText() || !(gen.conditioner() instanceof TextConditioner text)) {
            throw new T2iException("attention maps need a text-conditional model");
        }
        SamplingOptions opts = SampleCommand.sampling(cmd, loaded.defaults());
        int block = Args.intValue(cmd, "block", cfg.depth() - 1);
        int atStep = Args.intValue(cmd, "at-step", opts.steps() / 2);
        if (block < 0 || block >= cfg.depth() || atStep < 0 || atStep >= opts.steps()) {
            throw new T2iException("--block must be in [0, " + (cfg.depth() - 1) + "] and --at-step in [0, "
                    + (opts.steps() - 1) + "]");
        }
        String prompt = cmd.getOptionValue("prompt");
        Conditioning cond = text.encode(List.of(prompt), null, null);
        Conditioning uncond = text.withNullText(opts.negativePrompt() == null ? "" : opts.negativePrompt())
                .nullCondition(1);
        GuidedVelocity field = new GuidedVelocity(model, cond, uncond, opts.cfgScale());
        INDArray x = gen.initialNoise(1, opts.seed());
        double dt = 1.0 / opts.steps();
        INDArray weights = null;
        for (int i = 0; i < opts.steps(); i++) {
            double t = 1.0 - i * dt;
            if (i == atStep) {
                Map<String, INDArray> in = model.inputs(x, Nd4j.valueArrayOf(1, (float) t), cond.context(), cond.mask(),
                        null);
                weights = model.outputs(in, DitGraph.crossAttentionWeights(block))
                        .get(DitGraph.crossAttentionWeights(block)).dup();
            }
            x.subi(field.velocity(x, t).mul(dt)); // Euler, as the maps are read along its path
        }
        Tokenization tok = text.encoder().tokenizer().tokenize(prompt);
        INDArray meanHeads = weights.mean(1).get(NDArrayIndex.point(0));                     // [N, M]
        List<BufferedImage> tiles = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        tiles.add(Images.upscale(Images.toBufferedImages(x).get(0), Math.max(1, 96 / cfg.imgSize())));
        captions.add("image");
        int g = cfg.grid();
        for (int j = 0; j < tok.tokens().size(); j++) {
            double[][] map = meanHeads.get(NDArrayIndex.all(), NDArrayIndex.point(j)).reshape(g, g).toDoubleMatrix();
            List<String> blank = java.util.Collections.nCopies(g, "");
            tiles.add(Heatmap.render(map, blank, blank, "", 0, maxOf(map)));
            captions.add(tok.tokens().get(j));
        }
        Path out = Path.of(cmd.getOptionValue("out"));
        ImageGrid.write(out, tiles, captions, Math.min(8, tiles.size()), 1);
        System.out.printf("wrote %s: block %d, step %d of %d, %d tokens%n", out, block, atStep, opts.steps(),
                tok.tokens().size());
        return 0;
    }

    private static double maxOf(double[][] m) {
        double max = 1e-9;
        for (double[] row : m) {
            for (double v : row) {
                max = Math.max(max, v);
            }
        }
        return max;
    }
}
