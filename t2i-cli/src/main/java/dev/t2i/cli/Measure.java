package dev.t2i.cli;

import dev.t2i.runtime.OpProfile;
import dev.t2i.runtime.Workers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

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
        if (warmup == AUTO_WARMUP) {
            warmUntilCompiled(task);
        }
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

    /**
     * {@code --profile}: runs {@code task} {@code reps} more times with every op of {@code graph}
     * timed and prints, per run, the time inside ops, the ops' count and the rest of the workers'
     * time (bookkeeping between ops and everything outside the graph), then one line
     * per op kind. The timing itself slows the run a little.
     */
    static void profile(org.nd4j.autodiff.samediff.SameDiff graph, int reps, Runnable task) {
        OpProfile prof = new OpProfile();
        graph.addListeners(prof);
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                task.run();
            }
            double wallMs = (System.nanoTime() - t0) / 1e6 / reps;
            double opsMs = prof.totalNanos() / 1e6 / reps;
            int workers = Workers.shared().count();
            report("profile_wall_ms", wallMs, "ms");
            report("profile_in_ops_ms", opsMs, "ms");
            report("profile_ops", prof.totalOps() / (double) reps, "ops");
            report("profile_outside_ops_ms", wallMs * workers - opsMs, "ms (summed over " + workers + " workers)");
            prof.print(System.out, reps);
        } finally {
            graph.getListeners().remove(prof);
        }
    }

    /** {@code --warmup auto}: warm up until the JIT compiler has (nearly) finished with the task. */
    static final int AUTO_WARMUP = -1;

    /** Most untimed runs {@code --warmup auto} makes. */
    private static final int MAX_AUTO_WARMUP = 20;

    /**
     * Runs {@code task} until a run during which the JIT compilers worked for less than 3% of
     * its wall time (at least 2 runs, at most {@value #MAX_AUTO_WARMUP}). With two busy workers on
     * two cores the compiler threads take CPU from the task itself: one warm-up run left the seed
     * training step 30% slower than its steady state, and SameDiff's session code keeps the
     * compilers busy for several steps.
     */
    private static void warmUntilCompiled(Runnable task) {
        var jit = ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        int runs = 0;
        while (runs < MAX_AUTO_WARMUP) {
            long c0 = measurable ? jit.getTotalCompilationTime() : 0;
            long t0 = System.nanoTime();
            task.run();
            runs++;
            double wallMs = (System.nanoTime() - t0) / 1e6;
            double compileMs = measurable ? jit.getTotalCompilationTime() - c0 : 0;
            if (runs >= 2 && (!measurable || compileMs < 0.03 * wallMs)) {
                break;
            }
        }
        System.err.printf(java.util.Locale.ROOT, "warm-up: %d runs until the JIT compiler was quiet%n", runs);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** This process's peak: the kernel's VmHWM, reset through /proc/self/clear_refs. */
    private static final PeakRss PEAK = new PeakRss(dev.t2i.runtime.ProcessMemory::peakResidentMb, Measure::clearRefs);

    /** Peak resident set size of this process, in MB; -1 where /proc is unavailable. */
    static long peakRssMb() {
        return PEAK.peakMb();
    }

    /** Peak resident set size since the last {@link #resetPeakRss()} (VmHWM), in MB; -1 without /proc. */
    static long recentPeakRssMb() {
        return PEAK.recentPeakMb();
    }

    /**
     * Starts a new peak: Linux resets VmHWM to the current RSS when "5" is written to
     * /proc/self/clear_refs, so {@link #recentPeakRssMb()} is then the peak of what ran since.
     * Returns false where that is not possible.
     */
    static boolean resetPeakRss() {
        return PEAK.reset();
    }

    private static boolean clearRefs() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * A peak that survives resets of the kernel's high-water mark, with the mark's reader and its
     * reset injected so that tests can play the kernel.
     */
    static final class PeakRss {
        private final LongSupplier highWaterMb;
        private final BooleanSupplier resetHighWater;
        /** The highest peak seen before the last {@link #reset()}, in MB. */
        private long earlierPeakMb = -1;

        PeakRss(LongSupplier highWaterMb, BooleanSupplier resetHighWater) {
            this.highWaterMb = highWaterMb;
            this.resetHighWater = resetHighWater;
        }

        /** The peak since the start, across resets; -1 where the mark cannot be read. */
        synchronized long peakMb() {
            return Math.max(earlierPeakMb, recentPeakMb());
        }

        /** The high-water mark: the peak since the last reset. */
        long recentPeakMb() {
            return highWaterMb.getAsLong();
        }

        /** Resets the high-water mark, keeping the peak so far; false (and nothing changed) where it cannot. */
        synchronized boolean reset() {
            long before = recentPeakMb();
            if (!resetHighWater.getAsBoolean()) {
                return false;
            }
            earlierPeakMb = Math.max(earlierPeakMb, before);
            return true;
        }
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
