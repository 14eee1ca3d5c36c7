package dev.t2i.bench;

import dev.t2i.nn.Attention;
import dev.t2i.nn.LayerNorm;
import dev.t2i.nn.Linear;
import dev.t2i.nn.Mlp;
import dev.t2i.nn.ParamScope;
import dev.t2i.platform.Backend;
import dev.t2i.runtime.Graphs;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single layers of the seed DiT (64 images × 64 tokens × width 256, 8 heads) as SameDiff graphs,
 * forward and forward + backward, through the same {@link Graphs} helpers as training: where a
 * training step's time goes, one layer at a time. Run with {@code mvn -Pjmh -pl t2i-core test-compile
 * exec:java} (docs/PERFORMANCE.md, "Micro-benchmarks").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
public class LayerBenchmarks {
    private static final int TOKENS = 64;
    private static final int WIDTH = 256;
    private static final int HEADS = 8;

    /** Which layer: a linear layer, layer norm, self-attention with projections, or the MLP. */
    @Param({"linear", "layernorm", "attention", "mlp"})
    public String layer;

    /** Images per batch. */
    @Param({"64"})
    public int batch;

    private SameDiff sd;
    private Map<String, INDArray> inputs;
    private List<String> params;

    @Setup(Level.Trial)
    public void build() {
        Backend.configureThreads(1);
        sd = Graphs.create();
        ParamScope root = ParamScope.root(sd, 0, dev.t2i.nn.GraphMode.TRAIN);
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, WIDTH);
        SDVariable y = switch (layer) {
            case "linear" -> Linear.apply(root, "proj", x, WIDTH, WIDTH);
            case "layernorm" -> LayerNorm.affine(root, "norm", x, WIDTH, 1e-5);
            case "attention" -> Attention.selfAttentionFused(root, "attn", x, TOKENS, HEADS, WIDTH, null);
            case "mlp" -> Mlp.apply(root, "mlp.0", "mlp.2", x, WIDTH, 4 * WIDTH, "gelu");
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
        sd.identity("loss", y.mul(y).mean());
        sd.setLossVariables("loss");
        params = root.params().keySet().stream().toList();
        inputs = Map.of("x", Nd4j.randn(DataType.FLOAT, (long) batch * TOKENS, WIDTH));
        Graphs.prepareGradients(sd);
    }

    @Benchmark
    public INDArray forward() {
        return Graphs.output(sd, inputs, "loss").get("loss");
    }

    @Benchmark
    public INDArray forwardBackward() {
        try (Graphs.Gradients g = Graphs.gradients(sd, inputs, List.of("loss"), params)) {
            return g.outputs().get("loss");
        }
    }
}
