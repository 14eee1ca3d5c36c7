package dev.t2i.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Timing helpers for {@code t2i bench}: warm-up, repetitions, medians, process CPU time and peak RSS. */
final class Measure {
    private Measure() {
    }

    /** Wall-clock and process-CPU medians of the timed repetitions, in seconds. */
    record Times(double wallSeconds, double cpuSeconds) {
    }

    /**
     * Runs {@code task} {@code warmup} times untimed, then {@code reps} times timed. CPU time is
     * that of the whole process (all threads, GC included); on a shared machine it moves less
     * with other people's load than wall time does.
     */
    static Times median(int warmup, int reps, Runnable task) {
        for (int i = 0; i < warmup; i++) {
            task.run();
        }
        double[] wall = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            task.run();
            wall[i] = (System.nanoTime() - t0) / 1e9;
            cpu[i] = (processCpuNanos() - c0) / 1e9;
        }
        return new Times(median(wall), median(cpu));
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Peak resident set size of this process (VmHWM), in MB; -1 where /proc is unavailable. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The 1-minute load average, for the bench header. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return 0;
    }

    /** Prints one figure: {@code name value unit}. */
    static void report(String name, double value, String unit) {
        String v = Math.abs(value) >= 100 ? String.format(java.util.Locale.ROOT, "%.0f", value)
                : String.format(java.util.Locale.ROOT, "%.3f", value);
        System.out.println(name + " " + v + " " + unit);
    }
}
