package dev.t2i.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress: a bar redrawn in place on a terminal, plain log lines otherwise (files, CI).
 */
public final class TrainingProgress {
    private final PrintStream out;
    private final boolean terminal;
    private final long total;

    /** Progress of {@code total} steps to {@code out}: a bar redrawn in place when {@code terminal}, else log lines. */
    public TrainingProgress(PrintStream out, boolean terminal, long total) {
        this.out = out;
        this.terminal = terminal;
        this.total = total;
    }

    /** For standard error, as a bar when it is attached to a console. */
    public static TrainingProgress console(long total) {
        return new TrainingProgress(System.err, System.console() != null, total);
    }

    /** Reports a step; the bar is redrawn every step, the log line only when {@code logLine}. */
    public void step(long step, double loss, double imagesPerSecond, double etaSeconds, boolean logLine) {
        if (terminal) {
            int width = 30;
            int done = (int) (width * step / Math.max(1, total));
            String bar = "=".repeat(done) + (done < width ? ">" : "") + " ".repeat(Math.max(0, width - done - 1));
            out.printf(Locale.ROOT, "\r[%s] %d/%d loss %.4f %.1f img/s ETA %s ", bar, step, total, loss,
                    imagesPerSecond, duration(etaSeconds));
            if (step == total) {
                out.println();
            }
        } else if (logLine) {
            out.printf(Locale.ROOT, "step %d/%d loss %.4f %.1f img/s ETA %s%n", step, total, loss, imagesPerSecond,
                    duration(etaSeconds));
        }
    }

    /** A message on its own line (epoch summaries, checkpoints). */
    public void message(String text) {
        // on a terminal, clear the bar's line first: a shorter message would leave the bar's tail behind it
        out.println((terminal ? "\r\033[K" : "") + text);
    }

    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
