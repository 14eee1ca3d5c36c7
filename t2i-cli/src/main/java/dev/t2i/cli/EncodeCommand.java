package dev.t2i.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.t2i.T2iException;
import dev.t2i.clip.ClipOutput;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.Safetensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code t2i encode}: prompts from a JSON list through CLIP into a safetensors file. */
final class EncodeCommand implements Command {
    @Override
    public String name() {
        return "encode";
    }

    @Override
    public String summary() {
        return "encode prompts with CLIP: input_ids, attention_mask, last_hidden_state, pooler_output, text_embeds";
    }

    @Override
    public String usage() {
        return "--clip PATH --prompts FILE.json --out OUT.safetensors";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.required("clip", "PATH", "Hugging Face CLIP folder, converted file, or random"))
                .addOption(Args.required("prompts", "FILE", "a JSON list of strings"))
                .addOption(Args.required("out", "FILE", "output safetensors"));
    }

    @Override
    public int run(CommandLine cmd) {
        List<String> prompts = readPrompts(Path.of(cmd.getOptionValue("prompts")));
        ClipTextEncoder enc = ClipTextEncoder.load(cmd.getOptionValue("clip"));
        ClipOutput o = enc.encode(prompts);
        Map<String, INDArray> out = new LinkedHashMap<>();
        out.put("input_ids", o.inputIds());
        out.put("attention_mask", o.attentionMask());
        out.put("last_hidden_state", o.lastHiddenState());
        out.put("pooler_output", o.pooled());
        out.put("text_embeds", o.textEmbeds());
        Path path = Path.of(cmd.getOptionValue("out"));
        Safetensors.write(path, out, Map.of("producer", "t2i encode", "clip", enc.description()));
        System.out.println("encoded " + prompts.size() + " prompts to " + path);
        return 0;
    }

    static List<String> readPrompts(Path file) {
        try {
            List<String> prompts = ModelArchive.JSON.readValue(file.toFile(), new TypeReference<List<String>>() { });
            if (prompts.isEmpty()) {
                throw new T2iException(file + " holds an empty list; give at least one prompt");
            }
            return prompts;
        } catch (java.io.FileNotFoundException e) {
            throw new T2iException("prompts file not found: " + file);
        } catch (IOException e) {
            throw new T2iException(file + " is not a JSON list of strings (e.g. [\"a cat\", \"a dog\"])");
        }
    }
}
