package dev.t2i.spark;

import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.ModelIdentity;
import dev.t2i.api.ModelInfo;
import dev.t2i.api.T2iModel;
import dev.t2i.io.DiskFullException;
import dev.t2i.sampling.GuidanceInterval;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One task's work: the rows of one partition become PNGs in the output folder and one manifest
 * row each. Rows whose files are all there with this row's parameters (read back from the PNGs'
 * metadata) are not made again. Up to {@link JobOptions#inFlight()} rows wait at the executor's
 * model at once, so the model batches rows of this task (and of the other tasks on the executor)
 * that share settings; every image depends on its row alone (its seed), never on the batch.
 *
 * <p>Each PNG is written under a temporary name and renamed, so a killed or speculative task,
 * or a full disk, never leaves a torn image under a final name.
 */
final class PartitionGenerator implements FlatMapFunction<Iterator<PromptRow>, Row> {
    /** The manifest's columns. */
    static final StructType SCHEMA = new StructType()
            .add("row", DataTypes.LongType, false)
            .add("prompt", DataTypes.StringType, false)
            .add("seeds", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("files", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("steps", DataTypes.IntegerType, false)
            .add("cfg", DataTypes.DoubleType, false)
            .add("cfg_interval", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("sampler", DataTypes.StringType, false)
            .add("negative", DataTypes.StringType, true)
            .add("model", DataTypes.StringType, false)
            .add("model_hash", DataTypes.StringType, false)
            .add("status", DataTypes.StringType, false);
    static final String GENERATED = "generated";
    static final String EXISTING = "existing";

    private final JobOptions options;
    private final Map<String, String> hadoopConf;

    PartitionGenerator(JobOptions options, Map<String, String> hadoopConf) {
        this.options = options;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public Iterator<Row> call(Iterator<PromptRow> rows) throws IOException {
        T2iModel model = ExecutorModel.get(options.model());
        Configuration conf = new Configuration(false);
        hadoopConf.forEach(conf::set);
        Path out = new Path(options.out());
        FileSystem fs = out.getFileSystem(conf);
        // no .crc files beside the images on a local file system
        fs.setWriteChecksum(false);
        fs.mkdirs(out);
        return new Rows(rows, model, fs, out, options.inFlight());
    }

    /** Keeps up to {@code window} rows queued at the model and hands back their manifest rows in order. */
    private static final class Rows implements Iterator<Row> {
        private final Iterator<PromptRow> input;
        private final T2iModel model;
        private final ModelInfo info;
        private final ModelIdentity id;
        private final FileSystem fs;
        private final Path out;
        private final int window;
        private final ArrayDeque<Pending> pending = new ArrayDeque<>();

        Rows(Iterator<PromptRow> input, T2iModel model, FileSystem fs, Path out, int window) {
            this.input = input;
            this.model = model;
            this.info = model.info();
            this.id = model.identity();
            this.fs = fs;
            this.out = out;
            this.window = window;
        }

        private record Pending(PromptRow row, CompletableFuture<GenerationResult> result, Row existing) {
        }

        @Override
        public boolean hasNext() {
            fill();
            return !pending.isEmpty();
        }

        @Override
        public Row next() {
            fill();
            if (pending.isEmpty()) {
                throw new NoSuchElementException();
            }
            Pending p = pending.removeFirst();
            Row done = p.existing() != null ? p.existing() : write(p.row(), p.result().join());
            fill();
            return done;
        }

        /** Queues rows until the window is full (rows already written take no place in it). */
        private void fill() {
            while (queued() < window && input.hasNext()) {
                PromptRow row = input.next();
                Row existing = existing(row);
                pending.addLast(new Pending(row, existing == null ? model.submit(row.request()) : null, existing));
            }
        }

        private int queued() {
            int q = 0;
            for (Pending p : pending) {
                q += p.existing() == null ? 1 : 0;
            }
            return q;
        }

        /** The row's manifest row when all its images exist with its parameters, else null. */
        private Row existing(PromptRow row) {
            List<GenerationParameters> found = new ArrayList<>();
            try {
                for (int k = 0; k < row.n(); k++) {
                    Path f = new Path(out, row.file(k));
                    if (!fs.exists(f)) {
                        return null;
                    }
                    byte[] png;
                    try (InputStream in = fs.open(f)) {
                        png = in.readAllBytes();
                    }
                    GenerationParameters p = GenerationParameters.fromPng(png);
                    if (!row.matches(p, k, info, id)) {
                        return null;
                    }
                    found.add(p);
                }
            } catch (IOException | RuntimeException e) {
                return null; // unreadable or without metadata: made again
            }
            GenerationParameters first = found.get(0);
            return manifestRow(row, first.steps(), first.cfgScale(), first.cfgIntervalValue(), first.sampler(),
                    first.model(), EXISTING);
        }

        private Row write(PromptRow row, GenerationResult r) {
            for (int k = 0; k < r.size(); k++) {
                writeImage(new Path(out, row.file(k)), r.png(k), row);
            }
            return manifestRow(row, r.steps(), r.cfgScale(), r.cfgInterval(), r.sampler().id(), id.name(),
                    GENERATED);
        }

        /**
         * Writes one PNG under a temporary name and renames it. A failed write removes its
         * temporary file; a full disk ends the task with a {@link DiskFullException} naming the
         * image (Hadoop's local file system reports it as an {@link FSError}, not an
         * IOException), and a rerun of the job makes the images that are missing.
         */
        private void writeImage(Path target, byte[] png, PromptRow row) {
            Path tmp = new Path(out, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
            try {
                try (OutputStream o = fs.create(tmp, true)) {
                    o.write(png);
                }
                if (!fs.rename(tmp, target)) {
                    // another attempt of this task got there first with the same bytes; ours replaces it
                    fs.delete(target, false);
                    if (!fs.rename(tmp, target)) {
                        throw new IOException("could not rename " + tmp + " to " + target);
                    }
                }
            } catch (IOException | FSError e) {
                deleteQuietly(tmp, e);
                DiskFullException full = DiskFullException.of(target.toString(), e);
                if (full != null) {
                    throw full.withAdvice("free space and run the job again; it makes only the missing images");
                }
                throw new UncheckedIOException("writing the images of row " + row.row(),
                        e instanceof IOException io ? io : new IOException(e));
            }
        }

        private void deleteQuietly(Path tmp, Throwable failure) {
            try {
                fs.delete(tmp, false);
            } catch (IOException | RuntimeException | FSError e) {
                failure.addSuppressed(e); // the write's own error is the one to report
            }
        }

        private Row manifestRow(PromptRow row, int steps, double cfg, GuidanceInterval cfgInterval, String sampler,
                String modelName, String status) {
            long[] seeds = new long[row.n()];
            String[] files = new String[row.n()];
            for (int k = 0; k < row.n(); k++) {
                seeds[k] = row.seed() + k;
                files[k] = row.file(k);
            }
            return RowFactory.create(row.row(), row.prompt(), seeds,
                    // Spark's row encoder takes a Scala Seq (or a primitive array), not a java.util.List
                    CollectionConverters.asScala(Arrays.asList(files)).toList(), steps, cfg,
                    new double[] {cfgInterval.from(), cfgInterval.to()}, sampler, row.negative(),
                    modelName, id.hash(), status);
        }
    }
}
