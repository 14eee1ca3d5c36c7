package dev.t2i.spark;

import dev.t2i.T2iException;
import dev.t2i.sampling.GuidanceInterval;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The job's settings, from {@code spark-submit ... t2i-spark.jar} arguments.
 *
 * @param model       the bundle: a path every executor can read, or a file shipped with
 *                    {@code --files} (then its bare name is found through SparkFiles)
 * @param prompts     the prompt table (any path Spark reads: a file, a folder of parts, hdfs://, s3a://)
 * @param format      jsonl, csv or parquet; null: from the extension
 * @param out         where the PNGs and {@code manifest/} go (any Hadoop file system)
 * @param partitions  partitions to generate in; 0: as read
 * @param seed        base seed for rows without one (row r gets seed + 1000·r)
 * @param n           images per row for rows without "n"
 * @param steps       steps for rows without "steps", or null for the bundle's default
 * @param cfg         guidance scale for rows without "cfg", or null for the bundle's default
 * @param cfgInterval guidance interval for rows without "cfg_interval", or null for the bundle's default
 * @param sampler     integrator for rows without "sampler", or null for the bundle's default
 * @param manifest    jsonl or parquet
 * @param inFlight    requests a task keeps queued at the executor's model, so that they batch
 */
public record JobOptions(String model, String prompts, String format, String out, int partitions, long seed, int n,
        Integer steps, Double cfg, GuidanceInterval cfgInterval, String sampler, String manifest, int inFlight)
        implements Serializable {

    static final String USAGE = """
            usage: spark-submit --class dev.t2i.spark.SparkGenerate t2i-spark.jar \\
                     --model MODEL.t2i --prompts TABLE --out DIR [--format jsonl|csv|parquet]
                     [--partitions N] [--seed S] [--n N] [--steps N] [--cfg W] [--cfg-interval FROM,TO]
                     [--sampler NAME]
                     [--manifest jsonl|parquet] [--in-flight N]
              TABLE columns: prompt (required), seed, n, steps, cfg, cfg_interval, negative, sampler.
              Writes DIR/row-RRRRR-K.png (generation parameters inside) and DIR/manifest/;
              a rerun skips every image already written with the same parameters.""";

    /** Parses {@code --name value} pairs. */
    public static JobOptions parse(String[] args) {
        String model = null;
        String prompts = null;
        String format = null;
        String out = null;
        int partitions = 0;
        long seed = 0;
        int n = 1;
        Integer steps = null;
        Double cfg = null;
        GuidanceInterval cfgInterval = null;
        String sampler = null;
        String manifest = "jsonl";
        int inFlight = 8;
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String name = rest.remove(0);
            if (name.equals("--help") || name.equals("-h")) {
                throw new T2iException(USAGE);
            }
            if (rest.isEmpty()) {
                throw new T2iException(name + " needs a value\n" + USAGE);
            }
            String v = rest.remove(0);
            try {
                switch (name) {
                    case "--model" -> model = v;
                    case "--prompts" -> prompts = v;
                    case "--format" -> format = v;
                    case "--out" -> out = v;
                    case "--partitions" -> partitions = Integer.parseInt(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--n" -> n = Integer.parseInt(v);
                    case "--steps" -> steps = Integer.parseInt(v);
                    case "--cfg" -> cfg = Double.parseDouble(v);
                    case "--cfg-interval" -> cfgInterval = GuidanceInterval.parse(v);
                    case "--sampler" -> sampler = v;
                    case "--manifest" -> manifest = v;
                    case "--in-flight" -> inFlight = Integer.parseInt(v);
                    default -> throw new T2iException("unknown option " + name + "\n" + USAGE);
                }
            } catch (NumberFormatException e) {
                throw new T2iException(name + " needs a number, got " + v);
            }
        }
        if (model == null || prompts == null || out == null) {
            throw new T2iException("--model, --prompts and --out are required\n" + USAGE);
        }
        return new JobOptions(model, prompts, PromptTable.format(prompts, format), out, partitions, seed, n, steps,
                cfg, cfgInterval, sampler, manifest, inFlight).validate();
    }

    /** Checks the values, naming the option. */
    public JobOptions validate() {
        if (partitions < 0) {
            throw new T2iException("--partitions must be 0 (as read) or more, got " + partitions);
        }
        if (n < 1) {
            throw new T2iException("--n must be at least 1, got " + n);
        }
        if (inFlight < 1) {
            throw new T2iException("--in-flight must be at least 1, got " + inFlight);
        }
        if (!manifest.equals("jsonl") && !manifest.equals("parquet")) {
            throw new T2iException("--manifest must be jsonl or parquet, got " + manifest);
        }
        return this;
    }

    /** The same settings in {@code p} partitions. */
    public JobOptions withPartitions(int p) {
        return new JobOptions(model, prompts, format, out, p, seed, n, steps, cfg, cfgInterval, sampler, manifest,
                inFlight).validate();
    }
}
