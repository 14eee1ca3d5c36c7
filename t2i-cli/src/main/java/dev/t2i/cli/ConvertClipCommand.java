package dev.t2i.cli;

import dev.t2i.clip.ClipTextEncoder;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code t2i convert-clip}: Hugging Face CLIP folder to the project's single-file form. */
final class ConvertClipCommand implements Command {
    @Override
    public String name() {
        return "convert-clip";
    }

    @Override
    public String summary() {
        return "convert a Hugging Face CLIP folder into one file (graph, weights, tokenizer, config)";
    }

    @Override
    public String usage() {
        return "--from HF_DIR --out FILE";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.required("from", "DIR", "folder with config.json, model.safetensors, vocab.json, merges.txt"))
                .addOption(Args.required("out", "FILE", "output file, e.g. weights/clip-vit-b32.t2i"));
    }

    @Override
    public int run(CommandLine cmd) {
        long t0 = System.nanoTime();
        ClipTextEncoder enc = ClipTextEncoder.fromHuggingFace(Path.of(cmd.getOptionValue("from")));
        Path out = Path.of(cmd.getOptionValue("out"));
        enc.save(out);
        System.out.printf("converted %s text tower (%,d parameters, width %d, %d layers) to %s in %.1f s%n",
                cmd.getOptionValue("from"), enc.parameterCount(), enc.config().width(), enc.config().layers(), out,
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
