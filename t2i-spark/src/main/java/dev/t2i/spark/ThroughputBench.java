package dev.t2i.spark;

import dev.t2i.T2iException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Images per second of the Spark job on a local master, after a warm-up: the job runs on the
 * table's first {@code --warmup-rows} rows (into {@code OUT-warmup}, so that the bundle is
 * loaded and the JIT compiler has done most of its work), then on the whole table into
 * {@code OUT}, which should be empty. Prints wall time, and the process's CPU time: in local
 * mode the driver is the executor, so CPU seconds per image give images per second per busy
 * core whatever else the machine is running.
 *
 * <pre>
 * OMP_NUM_THREADS=1 T2I_WORKERS=2 tools/spark-submit --master 'local[2]' \
 *     --class dev.t2i.spark.ThroughputBench target/t2i-spark.jar --warmup-rows 4 \
 *     --model seed.t2i --prompts prompts.jsonl --out bench/
 * </pre>
 */
public final class ThroughputBench {
    private ThroughputBench() {
    }

    public static void main(String[] args) {
        int warmup = 4;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--warmup-rows") && i + 1 < args.length) {
                warmup = Integer.parseInt(args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
        JobOptions o;
        try {
            o = JobOptions.parse(rest.toArray(new String[0]));
        } catch (T2iException e) {
            System.err.println(e.getMessage() + "\n  plus: [--warmup-rows N] (default 4)");
            System.exit(2);
            return;
        }
        SparkSession spark = SparkSession.builder().appName("t2i throughput").getOrCreate();
        try {
            if (!spark.sparkContext().isLocal()) {
                throw new T2iException("run this on a local master (--master 'local[N]'): its CPU figure is the"
                        + " process's own");
            }
            Dataset<Row> table = PromptTable.read(spark, o.prompts(), o.format()).cache();
            JobOptions warm = new JobOptions(o.model(), o.prompts(), o.format(), o.out().replaceAll("/+$", "")
                    + "-warmup", o.partitions(), o.seed(), o.n(), o.steps(), o.cfg(), o.cfgInterval(), o.sampler(), o.manifest(),
                    o.inFlight());
            System.out.println("warm-up: " + SparkGenerate.run(spark, warm, table.limit(warmup)));
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            SparkGenerate.Summary s = SparkGenerate.run(spark, o, table);
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            int cores = spark.sparkContext().defaultParallelism();
            System.out.println("measured: " + s);
            System.out.printf(Locale.ROOT, "throughput: %d images, %.1f s wall, %.1f s process CPU on %s (%d cores):"
                    + " %.4f images/s, %.2f CPU s per image = %.4f images/s per busy executor core%n",
                    s.generatedImages(), s.seconds(), cpu, spark.sparkContext().master(), cores,
                    s.generatedImages() / s.seconds(), cpu / Math.max(1, s.generatedImages()),
                    s.generatedImages() / Math.max(1e-9, cpu));
        } finally {
            spark.stop();
        }
    }
}
