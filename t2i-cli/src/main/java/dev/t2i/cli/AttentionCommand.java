package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.conditioning.Conditioning;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.image.AttentionFigure;
import dev.t2i.image.Images;
import dev.t2i.sampling.GuidedVelocity;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SamplingOptions;
import dev.t2i.tokenizer.ClipTokenizer;
import dev.t2i.tokenizer.Tokenization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code t2i attention}: the cross-attention of the image patches to each prompt token, for one
 * block at one sampling step, averaged over heads; per token, the final image with the token's
 * map over it ({@link AttentionFigure}).
 */
final class AttentionCommand implements Command {
    private static final String END_OF_WORD = "</w>";

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
        DitNetwork model = gen.model();
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
        INDArray[] weights = new INDArray[1];
        INDArray x;
        // the maps are read along the path of the chosen sampler, at the state its step starts from
        try (GuidedVelocity field = new GuidedVelocity(model, cond, uncond, opts.cfgScale())) {
            x = opts.sampler().integrate(field, gen.initialNoise(1, opts.seed()), 1.0, opts.steps(),
                    (step, total, t, state, v) -> {
                        if (step - 1 == atStep) {
                            Map<String, INDArray> in = model.inputs(state, Nd4j.valueArrayOf(1, (float) t),
                                    cond.context(), cond.mask(), null);
                            weights[0] = model.outputs(in, DitGraph.crossAttentionWeights(block))
                                    .get(DitGraph.crossAttentionWeights(block)).dup();
                        }
                    });
        }
        Tokenization tok = text.encoder().tokenizer().tokenize(prompt);
        INDArray meanHeads = weights[0].mean(1).get(NDArrayIndex.point(0));                     // [N, M]
        // the DiT reads only the first context_len tokens of a prompt; later ones get no attention
        int shown = (int) Math.min(tok.tokens().size(), meanHeads.size(1));
        int g = cfg.grid();
        List<String> labels = new ArrayList<>();
        List<double[][]> maps = new ArrayList<>();
        for (int j = 0; j < shown; j++) {
            maps.add(meanHeads.get(NDArrayIndex.all(), NDArrayIndex.point(j)).reshape(g, g).toDoubleMatrix());
            labels.add(label(tok.tokens().get(j)));
        }
        Path out = Path.of(cmd.getOptionValue("out"));
        AttentionFigure.write(out, Images.toBufferedImages(x).get(0), labels, maps,
                "cross-attention of \"" + prompt + "\"",
                String.format(Locale.ROOT, "block %d of blocks 0-%d, %s step %d of %d, cfg %s, seed %d; mean over %d"
                        + " heads", block, cfg.depth() - 1, samplerName(opts), atStep, opts.steps(), dev.t2i.NumberText.of(opts.cfgScale()), opts.seed(),
                        cfg.numHeads())
                        + (shown < tok.tokens().size() ? "; the model reads only the first " + shown + " tokens" : ""));
        System.out.printf("wrote %s: block %d, step %d of %d, %d tokens%n", out, block, atStep, opts.steps(), shown);
        return 0;
    }

    /** The sampler's name as a figure shows it: Euler, Heun. */
    static String samplerName(SamplingOptions opts) {
        String id = opts.sampler().id();
        return id.substring(0, 1).toUpperCase(Locale.ROOT) + id.substring(1);
    }

    /** A token as a caption: word pieces in quotes without the end-of-word mark, special tokens by role. */
    static String label(String token) {
        if (token.equals(ClipTokenizer.START_OF_TEXT)) {
            return "<start>";
        }
        if (token.equals(ClipTokenizer.END_OF_TEXT)) {
            return "<end>";
        }
        String piece = token.endsWith(END_OF_WORD) ? token.substring(0, token.length() - END_OF_WORD.length()) : token;
        return "\"" + piece + "\"";
    }
}
