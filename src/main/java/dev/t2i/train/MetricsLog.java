package dev.t2i.train;

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
                for (Row r : readKeepingTornTail(file)) {
                    if (r.step() <= fromStep) {
                        keep.add(format(r));
                    }
                }
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            // rewritten whole and atomically: a kill now leaves the old file or the new one, never half
            dev.t2i.io.AtomicFiles.write(file, o -> o.write((String.join("\n", keep) + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
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
        return read(file, false);
    }

    /** Reads the rows, dropping a last line cut short by a kill mid-write (with a warning). */
    static List<Row> readKeepingTornTail(Path file) {
        return read(file, true);
    }

    private static List<Row> read(Path file, boolean dropTornTail) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new TensorFormatException("cannot read metrics file " + file + ": " + e.getMessage());
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("step")) {
                continue;
            }
            try {
                String[] f = line.split(",");
                rows.add(new Row(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4])));
            } catch (RuntimeException e) {
                if (dropTornTail && i == lines.size() - 1) {
                    org.slf4j.LoggerFactory.getLogger("t2i").warn("dropping the incomplete last line of {}: '{}'",
                            file, line);
                    break;
                }
                throw new TensorFormatException("cannot read metrics file " + file + ": line " + (i + 1) + " '"
                        + line + "' is not step,epoch,loss,lr,images_per_s");
            }
        }
        return rows;
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
