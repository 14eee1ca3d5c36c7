package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.clip.ClipOutput;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.image.Heatmap;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code t2i similarity}: cosine similarity of pooled CLIP embeddings, printed and as a heatmap. */
final class SimilarityCommand implements Command {
    @Override
    public String name() {
        return "similarity";
    }

    @Override
    public String summary() {
        return "cosine-similarity matrix of the pooled CLIP embeddings of prompts (and a heatmap PNG)";
    }

    @Override
    public String usage() {
        return "--clip PATH [--out FILE.png] PROMPT...";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.required("clip", "PATH", "Hugging Face CLIP folder, converted file, or random"))
                .addOption(Args.value("out", "FILE", "heatmap PNG (default similarity.png)"));
    }

    @Override
    public int run(CommandLine cmd) {
        List<String> prompts = cmd.getArgList();
        if (prompts.size() < 2) {
            throw new T2iException("give at least two prompts to compare");
        }
        ClipTextEncoder enc = ClipTextEncoder.load(cmd.getOptionValue("clip"));
        ClipOutput o = enc.encode(prompts);
        INDArray unit = o.pooled().div(o.pooled().norm2(1).reshape(-1, 1));
        INDArray sim = unit.mmul(unit.transpose());
        double[][] m = sim.toDoubleMatrix();
        List<String> labels = prompts.stream().map(SimilarityCommand::label).toList();
        int w = labels.stream().mapToInt(String::length).max().orElse(10);
        for (int i = 0; i < m.length; i++) {
            StringBuilder row = new StringBuilder(String.format("%-" + Math.min(w, 40) + "s",
                    abbreviate(label(prompts.get(i)))));
            for (double v : m[i]) {
                row.append(String.format(" %6.3f", v));
            }
            System.out.println(row);
        }
        Path out = Path.of(cmd.getOptionValue("out", "similarity.png"));
        Heatmap.write(out, m, labels, labels, "cosine similarity of pooled CLIP embeddings (" + enc.description() + ")");
        System.out.println("wrote " + out);
        return 0;
    }

    /**
     * A prompt as a row or column label: a blank one (the empty prompt, CFG's null text) in quotes,
     * as {@code ""}, so that it does not show as a missing label.
     */
    static String label(String prompt) {
        return prompt.isBlank() ? "\"" + prompt + "\"" : prompt;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

}
