package dev.t2i.spark;

import dev.t2i.T2iException;
import dev.t2i.sampling.GuidanceInterval;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Reads a prompt table (JSONL, CSV with a header, or Parquet) into numbered {@link PromptRow}s.
 * Columns: {@code prompt} (required), {@code seed}, {@code n}, {@code steps}, {@code cfg},
 * {@code negative}, {@code sampler}, {@code cfg_interval} ({@code [from, to]} in JSONL and
 * Parquet, {@code "from,to"} in CSV); any other column is refused by name, as
 * {@code t2i generate-batch} refuses unknown fields.
 *
 * <p>Rows are numbered in the order Spark reads the table, before any repartitioning: for one
 * file that is line order, so row r here is line r of {@code generate-batch}, its files have the
 * same names and, without a seed, it gets the same seed (base + 1000·r). For a table of many
 * files, give every row a seed: Spark orders splits by size, not by name.
 */
public final class PromptTable {
    /** The columns a table may have, with the type each is read as. */
    static final List<String> COLUMNS = List.of("prompt", "seed", "n", "steps", "cfg", "negative", "sampler",
            "cfg_interval");
    private static final Set<String> FORMATS = Set.of("jsonl", "json", "csv", "parquet");

    private PromptTable() {
    }

    /** The format named by the file's extension, or {@code fallback} when given. */
    public static String format(String path, String fallback) {
        if (fallback != null) {
            String f = fallback.toLowerCase(Locale.ROOT);
            if (!FORMATS.contains(f)) {
                throw new T2iException("--format must be jsonl, csv or parquet, got " + fallback);
            }
            return f.equals("json") ? "jsonl" : f;
        }
        String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        if (p.endsWith(".jsonl") || p.endsWith(".json") || p.endsWith(".ndjson")) {
            return "jsonl";
        }
        if (p.endsWith(".csv")) {
            return "csv";
        }
        if (p.endsWith(".parquet")) {
            return "parquet";
        }
        throw new T2iException("cannot tell the format of " + path + " from its name; give --format jsonl, csv or"
                + " parquet");
    }

    /** The table as a DataFrame with exactly the known columns (absent ones null), typed. */
    public static Dataset<Row> read(SparkSession spark, String path, String format) {
        Dataset<Row> raw = switch (format) {
            case "jsonl" -> spark.read().option("mode", "FAILFAST").json(path);
            case "csv" -> spark.read().option("header", "true").option("mode", "FAILFAST").option("multiLine", "true")
                    .option("escape", "\"").csv(path);
            case "parquet" -> spark.read().parquet(path);
            default -> throw new T2iException("unknown format " + format);
        };
        List<String> unknown = new ArrayList<>();
        for (String c : raw.columns()) {
            if (!COLUMNS.contains(c) && !c.equals("_corrupt_record")) {
                unknown.add(c);
            }
        }
        if (!unknown.isEmpty()) {
            throw new T2iException(path + ": unknown column(s) " + unknown + " (known: " + String.join(", ", COLUMNS)
                    + ")");
        }
        if (!List.of(raw.columns()).contains("prompt")) {
            throw new T2iException(path + " has no \"prompt\" column");
        }
        List<Column> cols = new ArrayList<>();
        for (String c : COLUMNS) {
            DataType t = switch (c) {
                case "seed" -> DataTypes.LongType;
                case "n", "steps" -> DataTypes.IntegerType;
                case "cfg" -> DataTypes.DoubleType;
                default -> DataTypes.StringType;
            };
            Column col = List.of(raw.columns()).contains(c) ? raw.col(c) : functions.lit(null);
            cols.add(col.cast(t).as(c));
        }
        return raw.select(cols.toArray(new Column[0]));
    }

    /**
     * The table's rows, numbered before anything repartitions them, with the job's defaults for
     * unset values: seed (base + 1000·row), n, steps, cfg, guidance interval and sampler.
     */
    public static JavaRDD<PromptRow> rows(Dataset<Row> table, JobOptions o) {
        return table.javaRDD().zipWithIndex().map(t -> {
            Row r = t._1();
            long index = t._2();
            String prompt = r.getString(0);
            if (prompt == null) {
                throw new T2iException("row " + index + " has no prompt");
            }
            long seed = !r.isNullAt(1) ? r.getLong(1) : o.seed() + PromptRow.ROW_SEED_STRIDE * index;
            int n = !r.isNullAt(2) ? r.getInt(2) : o.n();
            Integer steps = !r.isNullAt(3) ? Integer.valueOf(r.getInt(3)) : o.steps();
            Double cfg = !r.isNullAt(4) ? Double.valueOf(r.getDouble(4)) : o.cfg();
            String negative = r.getString(5);
            String sampler = !r.isNullAt(6) ? r.getString(6) : o.sampler();
            PromptRow row;
            try {
                GuidanceInterval interval = !r.isNullAt(7) ? interval(r.getString(7)) : o.cfgInterval();
                row = new PromptRow(index, prompt, seed, n, steps, cfg, interval, negative, sampler);
                row.request(); // checks every value here, naming the row, before any image is made
            } catch (RuntimeException e) {
                throw new T2iException("row " + index + " (\"" + prompt + "\"): " + e.getMessage());
            }
            return row;
        });
    }

    /**
     * A {@code cfg_interval} cell: CSV's {@code from,to}, or a JSONL or Parquet array, which the
     * table's string column holds as Spark writes arrays, {@code [from, to]}.
     */
    static GuidanceInterval interval(String cell) {
        String t = cell.strip();
        return GuidanceInterval.parse(t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t);
    }
}
