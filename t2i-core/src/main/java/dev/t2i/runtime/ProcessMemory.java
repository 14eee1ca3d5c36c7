package dev.t2i.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory as Linux reports it in {@code /proc/self/status}. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** Resident set size now (VmRSS), in MB; -1 where /proc is unavailable. */
    public static long residentMb() {
        return statusMb("VmRSS:");
    }

    /**
     * Peak resident set size (VmHWM) since the start or the last reset through
     * /proc/self/clear_refs, in MB; -1 where /proc is unavailable.
     */
    public static long peakResidentMb() {
        return statusMb("VmHWM:");
    }

    private static long statusMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
