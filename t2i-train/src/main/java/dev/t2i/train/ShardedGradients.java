package dev.t2i.train;

import dev.t2i.flow.FlowMatching;
import dev.t2i.runtime.Graphs;
import dev.t2i.runtime.Workers;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The loss and gradients of one batch, computed in shards side by side. The loss is a mean over
 * the batch, so the shards' losses and gradients, weighted by shard size, add up to the whole
 * batch's. Close it to free the shards' native buffers.
 */
final class ShardedGradients implements AutoCloseable {
    private final List<Graphs.Gradients> parts;
    private final double loss;

    private ShardedGradients(List<Graphs.Gradients> parts, double loss) {
        this.parts = parts;
        this.loss = loss;
    }

    /**
     * Runs forward and backward for {@code shards} slices of a batch of {@code rows}.
     *
     * @param recompute whether the backward passes may recompute cheap forward values (train.recompute)
     * @param inputs the graph inputs of shard i
     */
    static ShardedGradients compute(SameDiff graph, Collection<String> params, int rows, int shards,
            boolean recompute, IntFunction<Map<String, INDArray>> inputs) {
        Workers workers = Workers.shared();
        List<Graphs.Gradients> parts = workers.map(shards,
                i -> Graphs.gradients(graph, inputs.apply(i), List.of(FlowMatching.LOSS), params, recompute),
                Graphs.Gradients::close);
        double[] weights = new double[shards];
        double loss = 0;
        for (int i = 0; i < shards; i++) {
            weights[i] = (double) (Workers.shardStart(rows, shards, i + 1) - Workers.shardStart(rows, shards, i)) / rows;
            loss += weights[i] * parts.get(i).outputs().get(FlowMatching.LOSS).getDouble(0);
        }
        if (shards > 1) {
            Map<String, INDArray> sum = parts.get(0).gradients();
            var blas = Nd4j.getBlasWrapper().level1();
            workers.forEachSpread(new ArrayList<>(sum.keySet()), name -> sum.get(name).length(), name -> {
                INDArray total = sum.get(name).muli(weights[0]);
                for (int i = 1; i < shards; i++) {
                    blas.axpy(total.length(), weights[i], parts.get(i).gradients().get(name), total);
                }
            });
        }
        return new ShardedGradients(parts, loss);
    }

    /** The batch's loss. */
    double loss() {
        return loss;
    }

    /** The batch's gradients by parameter name (owned by this object until it is closed). */
    Map<String, INDArray> gradients() {
        return parts.get(0).gradients();
    }

    /** The outputs of every shard, to free with the step. */
    List<INDArray> outputs() {
        List<INDArray> all = new ArrayList<>();
        parts.forEach(p -> p.outputs().values().stream().filter(java.util.Objects::nonNull).forEach(all::add));
        return all;
    }

    @Override
    public void close() {
        parts.forEach(Graphs.Gradients::close);
    }
}
