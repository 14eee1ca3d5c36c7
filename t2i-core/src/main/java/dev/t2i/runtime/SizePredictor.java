package dev.t2i.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Predicts the bytes each slot of a plan will own for a batch without running the full batch:
 * the plan runs on the first one and then two rows of the batch inputs and the sizes are
 * extrapolated, every size being linear in the batch size. The batch inputs are the placeholders
 * whose first size is free and equals the most common such size.
 */
final class SizePredictor {
    private final PlanLeaves leaves;
    private final PlanExecutor executor;

    SizePredictor(PlanLeaves leaves, PlanExecutor executor) {
        this.leaves = leaves;
        this.executor = executor;
    }

    /**
     * Per slot, the bytes it will own for {@code inputs}; null where such a cut does not run
     * (e.g. inputs whose rows are not one per batch item) or there is no batch input.
     */
    long[] predict(Map<String, INDArray> inputs, RecyclingMemoryMgr memory) {
        long batch = batchSize(inputs);
        if (batch < 1) {
            return null;
        }
        try {
            long[] one = sizesAt(inputs, batch, 1, memory);
            long[] two = batch >= 2 ? sizesAt(inputs, batch, 2, memory) : one;
            long[] bytes = new long[one.length];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = Math.max(0, one[i] + (two[i] - one[i]) * (batch - 1));
            }
            return bytes;
        } catch (RuntimeException e) {
            memory.endCall(List.of());
            return null;
        }
    }

    /** The most common first size of the batch inputs (the larger on a tie); 0 where there are none. */
    private long batchSize(Map<String, INDArray> inputs) {
        Map<Long, Integer> firstSizes = new HashMap<>();
        for (int i = 0; i < leaves.count(); i++) {
            INDArray a = leaves.given(i, inputs);
            if (a != null && leaves.isBatched(i) && a.rank() > 0) {
                firstSizes.merge(a.size(0), 1, Integer::sum);
            }
        }
        return firstSizes.entrySet().stream()
                .max((x, y) -> x.getValue().equals(y.getValue()) ? Long.compare(x.getKey(), y.getKey())
                        : Integer.compare(x.getValue(), y.getValue()))
                .map(Map.Entry::getKey).orElse(0L);
    }

    /** Per slot, the bytes it owns when the batch inputs are cut to their first {@code rows} rows. */
    private long[] sizesAt(Map<String, INDArray> inputs, long batch, long rows, RecyclingMemoryMgr memory) {
        Map<String, INDArray> cut = new HashMap<>(inputs);
        for (int i = 0; i < leaves.count(); i++) {
            INDArray a = leaves.given(i, inputs);
            if (a != null && leaves.isBatched(i) && a.rank() > 0 && a.size(0) == batch) {
                // every free axis of the batch's size: a [B, U] selection of U distinct texts is cut in
                // both where U happens to equal B, or it would no longer match the cut texts
                long[] declared = leaves.shapes()[i];
                INDArrayIndex[] index = new INDArrayIndex[a.rank()];
                for (int d = 0; d < index.length; d++) {
                    boolean free = d < declared.length && declared[d] < 0;
                    index[d] = free && a.size(d) == batch ? NDArrayIndex.interval(0, rows) : NDArrayIndex.all();
                }
                cut.put(leaves.names()[i], a.get(index).dup());
            }
        }
        executor.run(cut, memory);
        memory.endCall(List.of());   // the outputs too: nobody reads them
        return executor.lastSizes();
    }
}
