/**
 * Batch generation as a Spark job: {@link dev.t2i.spark.SparkGenerate} turns every row of a prompt
 * table (JSONL, CSV or Parquet, read by {@link dev.t2i.spark.PromptTable} into
 * {@link dev.t2i.spark.PromptRow}s) into PNGs with their generation parameters inside, plus a
 * manifest, partition by partition on the executors. Each executor loads the bundle once and its
 * tasks share that model, which batches their rows together. Every image is fixed by its row
 * (prompt, settings, seed), so the output does not depend on the partitioning, a retried task
 * writes the same bytes, and a rerun makes only the missing images.
 * {@link dev.t2i.spark.JobOptions} holds the job's arguments, and
 * {@link dev.t2i.spark.ThroughputBench} measures images per second on a local master.
 *
 * <p>Uses: t2i-core's dev.t2i.api (every image goes through a {@code T2iModel}), dev.t2i,
 * dev.t2i.io (disk-full errors) and dev.t2i.sampling (sampler names); Spark SQL, Hadoop's file
 * systems and Scala's Java converters, which only this module brings, and which is why it is
 * built only with {@code -Pspark}.
 */
package dev.t2i.spark;
