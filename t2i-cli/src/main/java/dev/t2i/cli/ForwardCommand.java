package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.dit.ReferenceCheckpoint;
import dev.t2i.io.Safetensors;
import dev.t2i.train.LoadedRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code t2i forward}: one forward pass of a DiT on inputs from a safetensors file. */
final class ForwardCommand implements Command {
    @Override
    public String name() {
        return "forward";
    }

    @Override
    public String summary() {
        return "run one DiT forward pass on x, t, context, context_mask and write velocity";
    }

    @Override
    public String usage() {
        return "--model DIR --inputs IN.safetensors --out OUT.safetensors";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.required("model", "DIR", "reference checkpoint folder (config.json + model.safetensors),"
                        + " run folder or .t2i file"))
                .addOption(Args.required("inputs", "FILE", "safetensors with x [B,C,H,W], t [B], and context"
                        + " [B,M,ctx] + context_mask [B,M] (text) or label [B] (class)"))
                .addOption(Args.required("out", "FILE", "where to write velocity [B,C,H,W]"));
    }

    @Override
    public int run(CommandLine cmd) {
        Path modelPath = Path.of(cmd.getOptionValue("model"));
        DitNetwork model = Files.isDirectory(modelPath) && Files.exists(modelPath.resolve("model.safetensors"))
                ? ReferenceCheckpoint.load(modelPath) : LoadedRun.load(modelPath).model();
        Map<String, INDArray> in = Safetensors.readAll(Path.of(cmd.getOptionValue("inputs")));
        for (String k : new String[] {"x", "t"}) {
            if (!in.containsKey(k)) {
                throw new T2iException("inputs file lacks tensor '" + k + "'");
            }
        }
        INDArray v = model.velocity(in.get("x"), in.get("t"), in.get("context"), in.get("context_mask"),
                in.get("label"));
        Path out = Path.of(cmd.getOptionValue("out"));
        Safetensors.write(out, Map.of(DitGraph.VELOCITY, v), Map.of("producer", "t2i forward"));
        System.out.println("wrote velocity " + java.util.Arrays.toString(v.shape()) + " to " + out);
        return 0;
    }
}
