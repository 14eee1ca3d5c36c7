package dev.t2i.spark;

import dev.t2i.T2iException;
import dev.t2i.io.DiskFullException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Batch generation as a Spark job: every row of a prompt table becomes PNGs (generation
 * parameters inside) in an output folder, plus a manifest, partition by partition on the
 * executors, each of which loads the bundle once.
 *
 * <pre>
 * spark-submit --class dev.t2i.spark.SparkGenerate --master local[2] target/t2i-spark.jar \
 *     --model mini.t2i --prompts prompts.jsonl --out batch/
 * </pre>
 *
 * <p>Every image is fixed by its row (prompt, settings, seed), so the output does not depend on
 * how the table is partitioned, a retried task writes the same bytes, and a rerun skips the
 * images already there and makes only the missing ones.
 */
public final class SparkGenerate {
    /** The manifest's folder inside the output folder. */
    public static final String MANIFEST = "manifest";

    private SparkGenerate() {
    }

    /** What one run did. */
    public record Summary(long rows, long generatedRows, long existingRows, long images, long generatedImages,
            double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d rows (%d images): %d rows generated now (%d images), %d were"
                    + " already written; %.1f s, %.3f images/s", rows, images, generatedRows, generatedImages,
                    existingRows, seconds, generatedImages / Math.max(1e-9, seconds));
        }
    }

    public static void main(String[] args) {
        JobOptions options;
        try {
            options = JobOptions.parse(args);
        } catch (T2iException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        SparkSession spark = SparkSession.builder().appName("t2i generate").getOrCreate();
        DiskFullException full = null;
        try {
            Summary s = run(spark, options);
            System.out.println(s);
        } catch (Exception e) {
            // a task's disk-full failure comes back inside Spark's "job aborted" SparkException (a
            // checked exception that Scala code throws undeclared); it is no bug, so one line says
            // where and what to do instead of Spark's stack traces
            full = DiskFullException.find(e);
            if (full == null) {
                throw e;
            }
        } finally {
            spark.stop();
        }
        if (full != null) {
            System.err.println("error: " + full.getMessage());
            System.exit(1);
        }
    }

    /** Runs the job on {@code spark}: generates, then writes {@code out/manifest/} sorted by row. */
    public static Summary run(SparkSession spark, JobOptions o) {
        return run(spark, o, PromptTable.read(spark, o.prompts(), o.format()));
    }

    /** As {@link #run(SparkSession, JobOptions)} over a table already read (see {@link PromptTable#read}). */
    public static Summary run(SparkSession spark, JobOptions o, Dataset<Row> table) {
        long t0 = System.nanoTime();
        JavaRDD<PromptRow> rows = PromptTable.rows(table, o);
        if (o.partitions() > 0) {
            rows = rows.repartition(o.partitions());
        }
        Map<String, String> conf = new HashMap<>();
        spark.sparkContext().hadoopConfiguration().forEach(e -> conf.put(e.getKey(), e.getValue()));
        // generation runs once: the manifest's sort and write read the cached rows
        JavaRDD<Row> manifest = rows.mapPartitions(new PartitionGenerator(o, conf))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long count = manifest.count();
            double seconds = (System.nanoTime() - t0) / 1e9;
            Dataset<Row> df = spark.createDataFrame(manifest, PartitionGenerator.SCHEMA);
            var writer = df.orderBy("row").coalesce(1).write().mode(SaveMode.Overwrite);
            String dir = o.out().replaceAll("/+$", "") + "/" + MANIFEST;
            if (o.manifest().equals("parquet")) {
                writer.parquet(dir);
            } else {
                writer.json(dir);
            }
            Row totals = df.selectExpr(
                    "sum(if(status = 'generated', 1, 0))",
                    "sum(size(seeds))",
                    "sum(if(status = 'generated', size(seeds), 0))").first();
            long generatedRows = totals.isNullAt(0) ? 0 : totals.getLong(0);
            long images = totals.isNullAt(1) ? 0 : totals.getLong(1);
            long generatedImages = totals.isNullAt(2) ? 0 : totals.getLong(2);
            return new Summary(count, generatedRows, count - generatedRows, images, generatedImages, seconds);
        } finally {
            manifest.unpersist(false);
        }
    }
}
