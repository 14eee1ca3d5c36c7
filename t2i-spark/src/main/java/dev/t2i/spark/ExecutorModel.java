package dev.t2i.spark;

import dev.t2i.api.BatchingOptions;
import dev.t2i.api.T2iModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;

/**
 * The bundle, loaded once per executor JVM and shared by all of its tasks (and all of its
 * cores): a static, since Spark reuses the JVM for every task of the application. Tasks running
 * side by side queue their rows at the same {@link T2iModel}, whose worker batches them together
 * and, with {@code OMP_NUM_THREADS=1}, shards every batch over {@code T2I_WORKERS} threads.
 * Never closed: the model's worker is a daemon thread and the memory goes with the executor.
 */
final class ExecutorModel {
    /**
     * The queue never refuses a row: each task keeps at most {@code --in-flight} rows queued, so
     * the executor's cores bound the total, and a refusal would fail the task.
     */
    private static final BatchingOptions BATCHING = new BatchingOptions(BatchingOptions.defaults().maxBatchImages(),
            1 << 16);
    private static final Map<String, T2iModel> LOADED = new ConcurrentHashMap<>();
    private static final Map<String, Long> LOAD_NANOS = new ConcurrentHashMap<>();

    private ExecutorModel() {
    }

    /** The model at {@code path}, loading it on first use in this JVM. */
    static T2iModel get(String path) {
        return LOADED.computeIfAbsent(path, p -> {
            long t0 = System.nanoTime();
            T2iModel m = T2iModel.load(resolve(p), BATCHING);
            LOAD_NANOS.put(p, System.nanoTime() - t0);
            return m;
        });
    }

    /** How many times a bundle was loaded in this JVM (tests: once per executor, not per row or task). */
    static int loadCount() {
        return LOAD_NANOS.size();
    }

    /** A path this JVM can read, else the same name among the files shipped with {@code --files}. */
    static Path resolve(String path) {
        Path p = Path.of(path.startsWith("file:") ? path.substring("file:".length()) : path);
        if (Files.isRegularFile(p)) {
            return p;
        }
        try {
            Path shipped = Path.of(SparkFiles.get(p.getFileName().toString()));
            if (Files.isRegularFile(shipped)) {
                return shipped;
            }
        } catch (RuntimeException e) {
            // no SparkContext here (or no such file): report the path as given
        }
        return p;
    }

    /** Closes every model loaded in this JVM (tests, between jobs in one process). */
    static void closeAll() {
        LOADED.values().forEach(T2iModel::close);
        LOADED.clear();
        LOAD_NANOS.clear();
    }
}
