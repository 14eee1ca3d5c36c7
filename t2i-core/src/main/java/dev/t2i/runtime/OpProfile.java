package dev.t2i.runtime;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Time spent in each kind of op of a graph, summed over all threads that run it: where a step's
 * time goes, for {@code bench --profile}. The time between ops (the runner's bookkeeping) is
 * what the run took minus the ops, reported by the caller from its wall-clock time.
 */
public final class OpProfile extends BaseListener {
    private final ThreadLocal<long[]> started = ThreadLocal.withInitial(() -> new long[1]);
    private final Map<String, LongAdder[]> byKind = new ConcurrentHashMap<>();

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        started.get()[0] = System.nanoTime();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext opContext,
            INDArray[] outputs) {
        long ns = System.nanoTime() - started.get()[0];
        LongAdder[] s = byKind.computeIfAbsent(op.getOp().opName(), k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        s[0].increment();
        s[1].add(ns);
    }

    /** Total nanoseconds inside ops so far, all threads. */
    public long totalNanos() {
        return byKind.values().stream().mapToLong(s -> s[1].sum()).sum();
    }

    /** Total ops run so far. */
    public long totalOps() {
        return byKind.values().stream().mapToLong(s -> s[0].sum()).sum();
    }

    /**
     * Prints one line per op kind, most time first: {@code op_ms KIND MS ms COUNT ops}, each
     * divided by {@code runs}.
     */
    public void print(PrintStream out, int runs) {
        List<Map.Entry<String, LongAdder[]>> rows = new ArrayList<>(byKind.entrySet());
        rows.sort(Comparator.comparingLong((Map.Entry<String, LongAdder[]> e) -> e.getValue()[1].sum()).reversed());
        for (var e : rows) {
            out.printf(Locale.ROOT, "op_ms %-28s %9.1f ms %6d ops%n", e.getKey(), e.getValue()[1].sum() / 1e6 / runs,
                    e.getValue()[0].sum() / runs);
        }
    }
}
