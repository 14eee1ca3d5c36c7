package dev.t2i.flow;

import dev.t2i.io.TensorFormatException;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.csv} of a run: step, epoch, loss, lr, images/s. On resume, rows past the
 * checkpoint's step are dropped so the file matches what the weights have seen.
 */
public final class MetricsLog implements AutoCloseable {
    static final String HEADER = "step,epoch,loss,lr,images_per_s";

    /** One row. */
    public record Row(long step, double epoch, double loss, double lr, double imagesPerSecond) {
    }

    private final Writer out;

    private MetricsLog(Writer out) {
        this.out = out;
    }

    /** Opens the log, keeping rows up to {@code fromStep} (all of them for a new run). */
    public static MetricsLog open(Path file, long fromStep) {
        try {
            List<String> keep = new ArrayList<>();
            keep.add(HEADER);
            if (Files.exists(file) && fromStep > 0) {
                for (Row r : read(file)) {
                    if (r.step() <= fromStep) {
                        keep.add(format(r));
                    }
                }
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, keep, StandardCharsets.UTF_8);
            return new MetricsLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new TensorFormatException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends a row and flushes it (a killed run keeps every row written). */
    public void append(Row r) {
        try {
            out.write(format(r));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new TensorFormatException("cannot append to metrics.csv: " + e.getMessage(), e);
        }
    }

    /** Reads the rows of a metrics file. */
    public static List<Row> read(Path file) {
        try {
            List<Row> rows = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("step")) {
                    continue;
                }
                String[] f = line.split(",");
                rows.add(new Row(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4])));
            }
            return rows;
        } catch (IOException | RuntimeException e) {
            throw new TensorFormatException("cannot read metrics file " + file + ": " + e.getMessage());
        }
    }

    private static String format(Row r) {
        return String.format(Locale.ROOT, "%d,%.4f,%.6f,%.6g,%.2f", r.step(), r.epoch(), r.loss(), r.lr(),
                r.imagesPerSecond());
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // rows were flushed as written
        }
    }
}
