package dev.t2i.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.SmallDisk;
import dev.t2i.io.DiskFullException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.csv never hands back a row that was cut short, whether by a kill or by a full disk. */
class MetricsLogTest {
    static MetricsLog.Row row(long step) {
        return new MetricsLog.Row(step, step / 10.0, 0.5, 1e-3, 123.45);
    }

    @Test
    void aLastRowWithoutItsNewlineIsDroppedEvenWhereItParses(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.csv");
        try (MetricsLog log = MetricsLog.open(file, 0)) {
            log.append(row(1));
            log.append(row(2));
        }
        // a kill mid-write of row 3 that left "...,12" of "...,123.45": all five fields parse
        String full = Files.readString(file);
        Files.writeString(file, full + "3,0.3000,0.500000,0.00100000,12");
        assertEquals(List.of(1L, 2L), MetricsLog.read(file).stream().map(MetricsLog.Row::step).toList());
        try (MetricsLog log = MetricsLog.open(file, 2)) {
            log.append(row(3));
        }
        assertEquals(List.of(row(1), row(2), row(3)).stream().map(MetricsLog.Row::step).toList(),
                MetricsLog.read(file).stream().map(MetricsLog.Row::step).toList());
        assertEquals(123.45, MetricsLog.read(file).get(2).imagesPerSecond(), 1e-9);
    }

    @Test
    void aRowTheDiskHasNoRoomForIsNotLeftHalfWritten(@TempDir Path dir) throws IOException {
        try (SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), 256)) {
            Path file = disk.root().resolve("run/metrics.csv");
            try (MetricsLog log = MetricsLog.open(file, 0)) {
                log.append(row(1));
                long rowBytes = Files.size(file) - MetricsLog.HEADER.length() - 1;
                long step = 1;
                // rows up to the end of the page, short of room for one more: the next one is cut short by ENOSPC
                while (SmallDisk.PAGE - Files.size(file) % SmallDisk.PAGE > rowBytes) {
                    log.append(row(++step));
                }
                long good = Files.size(file);
                assertTrue(good % SmallDisk.PAGE != 0, "a partial write needs room left in the last page");

                disk.fill();
                long last = step;
                long next = step + 1;
                DiskFullException e = assertThrows(DiskFullException.class, () -> log.append(row(next)));
                assertTrue(e.getMessage().startsWith("disk full while writing " + file + " (No space left on device)"),
                        e.getMessage());
                assertEquals(good, Files.size(file), "the part of the row that fitted is cut off");
                List<MetricsLog.Row> rows = MetricsLog.read(file);
                assertEquals(step, rows.size());
                assertEquals(row(step), rows.get(rows.size() - 1));

                // a resume rewrites the file: that needs a page too, and fails the same way, leaving it as it was
                assertThrows(DiskFullException.class, () -> MetricsLog.open(file, last));
                assertEquals(good, Files.size(file));

                disk.makeRoom();
                log.append(row(next));
                assertEquals(row(next), MetricsLog.read(file).get((int) step));
            }
        }
    }
}
