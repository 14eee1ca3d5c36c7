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
 * what the run took minus the ops, reported by the caller from its wall-clock time. Matrix
 * products are also kept by their operands' shapes, with their floating-point operations, so
 * that each product's rate can be set against the machine's peak.
 */
public final class OpProfile extends BaseListener {
    private final ThreadLocal<long[]> started = ThreadLocal.withInitial(() -> new long[1]);
    private final Map<String, LongAdder[]> byKind = new ConcurrentHashMap<>();
    /** Per product kind and operand shapes: runs, nanoseconds, floating-point operations. */
    private final Map<String, LongAdder[]> byProduct = new ConcurrentHashMap<>();

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
        String name = op.getOp().opName();
        if ((name.equals("matmul") || name.equals("matmul_bp")) && opContext != null) {
            List<INDArray> in = opContext.getInputArrays();
            if (in != null && in.size() >= 2 && in.get(0) != null && in.get(1) != null) {
                INDArray product = name.equals("matmul") ? outputs[0] : in.size() > 2 ? in.get(2) : null;
                if (product != null) {
                    String key = name + " " + shape(in.get(0)) + "x" + shape(in.get(1));
                    LongAdder[] p = byProduct.computeIfAbsent(key,
                            k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
                    p[0].increment();
                    p[1].add(ns);
                    p[2].add((name.equals("matmul") ? 1 : 2) * productFlops(in.get(0), product));
                }
            }
        }
    }

    /**
     * Floating-point operations of C = A·B, batched or not, A transposed or not: 2·|C|·k, with k
     * the dimension of A's last two that is not C's rows (either, when they are equal).
     */
    static long productFlops(INDArray a, INDArray c) {
        long rows = c.size(c.rank() - 2);
        long k = a.size(a.rank() - 2) == rows ? a.size(a.rank() - 1) : a.size(a.rank() - 2);
        return 2 * c.length() * k;
    }

    private static String shape(INDArray a) {
        return java.util.Arrays.toString(a.shape()).replace(" ", "");
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
        List<Map.Entry<String, LongAdder[]>> products = new ArrayList<>(byProduct.entrySet());
        products.sort(Comparator.comparingLong((Map.Entry<String, LongAdder[]> e) -> e.getValue()[1].sum()).reversed());
        long ns = 0;
        long flops = 0;
        for (var e : products) {
            LongAdder[] p = e.getValue();
            ns += p[1].sum();
            flops += p[2].sum();
            out.printf(Locale.ROOT, "product_ms %-44s %8.1f ms %5d ops %7.1f GFLOP/s%n", e.getKey(),
                    p[1].sum() / 1e6 / runs, p[0].sum() / runs, p[2].sum() / (double) p[1].sum());
        }
        if (ns > 0) {
            out.printf(Locale.ROOT, "products %.1f GFLOP per run, %.1f GFLOP/s per thread%n", flops / 1e9 / runs,
                    flops / (double) ns);
        }
    }
}
