package dev.t2i.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitModel;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    static final DitConfig TINY = new DitConfig("text", 8, 2, 3, 32, 1, 2, 2.0, 16, 4, 2, "plain");

    static TrainConfig recipe(int steps, long seed) {
        return new TrainConfig(8, steps, 0, 3e-3, 0.0, 0, 0, 0, 0.1, null, null, 0, 1.0, 0.99, true, seed, 10, 1000,
                2, 0, 0);
    }

    static Progress silent() {
        return new Progress(new PrintStream(java.io.OutputStream.nullOutputStream()), false, 1);
    }

    static Trainer trainer(Path dir, int steps, long seed) {
        DitModel model = DitGraph.build(TINY, seed);
        return new Trainer(model, recipe(steps, seed), ToyData.images(32), ToyData.textConditioner(4, 16), dir, null)
                .progress(silent());
    }

    @Test
    void trainingLowersTheLoss(@TempDir Path dir) {
        List<Double> losses = trainer(dir, 150, 1).run(Long.MAX_VALUE);
        double first = losses.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = losses.subList(140, 150).stream().mapToDouble(d -> d).average().orElseThrow();
        System.out.printf("toy training loss: first 10 steps %.4f, last 10 steps %.4f%n", first, last);
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        assertTrue(Files.exists(dir.resolve("metrics.csv")));
        assertEquals(15, MetricsLog.read(dir.resolve("metrics.csv")).size());
        assertTrue(Files.exists(Checkpoint.latest(dir)));
    }

    @Test
    void resumeRepeatsTheUninterruptedRunExactly(@TempDir Path a, @TempDir Path b) {
        List<Double> straight = trainer(a, 8, 7).run(Long.MAX_VALUE);

        Trainer first = trainer(b, 8, 7);
        List<Double> resumed = new ArrayList<>(first.run(4));
        first.checkpoint();
        Trainer second = trainer(b, 8, 7).restore(Checkpoint.read(b));
        assertEquals(4, second.step());
        resumed.addAll(second.run(Long.MAX_VALUE));
        assertEquals(straight, resumed, "loss sequence after resume");
    }
}
