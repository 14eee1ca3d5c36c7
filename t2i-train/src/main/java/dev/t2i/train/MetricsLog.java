package dev.t2i.train;

import dev.t2i.io.AtomicFiles;
import dev.t2i.io.TensorFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private final Path file;

    private MetricsLog(Path file) {
        this.file = file;
    }

    /** Opens the log, keeping rows up to {@code fromStep} (all of them for a new run). */
    public static MetricsLog open(Path file, long fromStep) {
        List<String> keep = new ArrayList<>();
        keep.add(HEADER);
        if (Files.exists(file) && fromStep > 0) {
            for (Row r : readKeepingTornTail(file)) {
                if (r.step() <= fromStep) {
                    keep.add(format(r));
                }
            }
        }
        // rewritten whole and atomically: a kill or a full disk now leaves the old file or the new one, never half
        AtomicFiles.write(file, o -> o.write((String.join("\n", keep) + "\n").getBytes(StandardCharsets.UTF_8)));
        return new MetricsLog(file);
    }

    /**
     * Appends a row. Each row is written and its file closed at once, so a killed run keeps
     * every row written; a row the disk had no room for is cut off again rather than left half
     * written ({@link AtomicFiles#appendLine}), and the failure is a
     * {@link dev.t2i.io.DiskFullException} naming the file.
     */
    public void append(Row r) {
        AtomicFiles.appendLine(file, format(r));
    }

    /**
     * Reads the rows of a metrics file. A last line without its newline was cut short by a kill
     * and is dropped with a warning, even where what is left of it parses.
     */
    public static List<Row> read(Path file) {
        return read(file, false);
    }

    /** Reads the rows, dropping a last line cut short by a kill mid-write (with a warning). */
    static List<Row> readKeepingTornTail(Path file) {
        return read(file, true);
    }

    private static List<Row> read(Path file, boolean dropTornTail) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new TensorFormatException("cannot read metrics file " + file + ": " + e.getMessage());
        }
        List<String> lines = text.lines().toList();
        // every row is written with its newline: a last line without one was cut short (a kill
        // mid-write), even where what is left parses, such as images/s "1" of "123.45"
        boolean tornTail = !text.isEmpty() && !text.endsWith("\n");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("step")) {
                continue;
            }
            boolean last = i == lines.size() - 1;
            if (last && tornTail) {
                org.slf4j.LoggerFactory.getLogger("t2i").warn("dropping the incomplete last line of {}: '{}'", file,
                        line);
                break;
            }
            try {
                String[] f = line.split(",");
                rows.add(new Row(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4])));
            } catch (RuntimeException e) {
                if (dropTornTail && last) {
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

    /** Nothing to release: each row opens and closes the file itself. */
    @Override
    public void close() {
    }
}
