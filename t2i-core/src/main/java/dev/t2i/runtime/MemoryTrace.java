package dev.t2i.runtime;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * With {@code -Dt2i.traceMemory=true}, each run of a plan prints, for the moment its intermediate
 * arrays held the most memory, which ops made the arrays alive then: where to look to save memory
 * ({@code -Dt2i.traceMemoryAll=true} adds every such array with the steps that read it). One
 * trace follows one run.
 */
final class MemoryTrace {
    /** Whether runs are traced; read once. */
    static final boolean ENABLED = Boolean.getBoolean("t2i.traceMemory");

    private final Step[] steps;
    private long peak = -1;
    private String report;

    MemoryTrace(Step[] steps) {
        this.steps = steps;
    }

    /**
     * After step {@code s}: where {@code memory} holds more live bytes than after any step before,
     * describes what the plan's slots hold now.
     *
     * @param values    per slot, its array in this run
     * @param owner     per slot, the slot whose allocation holds its data (-1: a leaf)
     * @param remaining per owning slot, the reads still to come
     */
    void afterStep(int s, RecyclingMemoryMgr memory, INDArray[] values, int[] owner, int[] remaining) {
        if (memory.liveBytes() > peak) {
            peak = memory.liveBytes();
            report = liveReport(s, values, owner, remaining);
        }
    }

    /** Prints the report of the peak, with {@code memory}'s own peaks, to standard error. */
    void print(RecyclingMemoryMgr memory) {
        if (report != null) {
            System.err.println(report + String.format(Locale.ROOT,
                    "[memory] this thread's manager: peak live %.1f MB, peak held %.1f MB, pooled now %.1f MB",
                    memory.peakLiveBytes() / 1048576.0, memory.peakHeldBytes() / 1048576.0,
                    memory.pooledBytes() / 1048576.0));
        }
    }

    /** What is alive after step {@code s}: bytes by the kind of op that made them, largest first. */
    private String liveReport(int s, INDArray[] values, int[] owner, int[] remaining) {
        Map<String, long[]> byOp = new HashMap<>();
        long total = 0;
        StringBuilder all = new StringBuilder();
        Map<Integer, String> producer = new HashMap<>();
        for (Step st : steps) {
            for (int o : st.out()) {
                producer.put(o, st.fn().opName());
            }
        }
        for (int slot = 0; slot < values.length; slot++) {
            if (values[slot] == null || owner[slot] != slot || remaining[slot] <= 0 || values[slot].isEmpty()) {
                continue;
            }
            long bytes = values[slot].length() * values[slot].dataType().width();
            total += bytes;
            if (Boolean.getBoolean("t2i.traceMemoryAll")) {
                all.append("[live] " + producer.getOrDefault(slot, "?") + " " + bytes / 1024 + "KB "
                        + Arrays.toString(values[slot].shape()) + " made by " + slot + " <-" + readers(slot) + "\n");
            }
            long[] sum = byOp.computeIfAbsent(producer.getOrDefault(slot, "?"), k -> new long[2]);
            sum[0] += bytes;
            sum[1]++;
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "[memory] peak after step %d of %d (%s): %.1f MB alive in the plan's slots%n", s + 1, steps.length,
                steps[s].op().getName(), total / 1048576.0));
        byOp.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(25)
                .forEach(e -> sb.append(String.format(Locale.ROOT, "[memory]   %8.1f MB in %4d arrays from %s%n",
                        e.getValue()[0] / 1048576.0, e.getValue()[1], e.getKey())));
        return sb.append(all).toString();
    }

    /** " step:name" for each read of {@code slot}. */
    private String readers(int slot) {
        StringBuilder readers = new StringBuilder();
        for (int r = 0; r < steps.length; r++) {
            for (int i : steps[r].in()) {
                if (i == slot) {
                    readers.append(' ').append(r).append(':').append(steps[r].op().getName());
                }
            }
        }
        return readers.toString();
    }
}
