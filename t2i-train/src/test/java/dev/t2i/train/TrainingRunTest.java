package dev.t2i.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.config.Preset;
import dev.t2i.data.shapes.ShapesDataset;
import dev.t2i.sampling.SamplingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A training run started, continued and sampled the way a Java application does it: no command line. */
class TrainingRunTest {
    private static TrainingRun.Builder shapes(Path dir, TrainingRun.Overrides overrides) {
        return TrainingRun.builder(dir)
                .preset(Preset.named("shapes"))
                .overrides(overrides)
                .data(o -> ShapesDataset.generate(ShapesDataset.Split.TRAIN, 96, o.imageSize(), o.seed()))
                .progress(TrainerTest.silent());
    }

    @Test
    void trainingWithoutTheHousekeepingOptInLeavesTheHostJvmAsItWas(@TempDir Path tmp) {
        org.nd4j.linalg.factory.Nd4j.create(new float[] {1f}); // ND4J's own start-up is not the library's doing
        dev.t2i.HostJvmState before = dev.t2i.HostJvmState.capture();
        long collections = fullCollections();

        shapes(tmp.resolve("run"), TrainingRun.Overrides.builder().batch(8).steps(4).checkpointEvery(2)
                .sampleEvery(0).build()).build().train();

        dev.t2i.HostJvmState after = dev.t2i.HostJvmState.capture();
        assertEquals(before.properties(), after.properties(), "system properties");
        assertEquals(before.writeableFlags(), after.writeableFlags(), "writeable VM flags (the heap-free ratios among them)");
        assertEquals(collections, fullCollections(), "no full collection (System.gc()) from the library");
    }

    /** Full collections so far (G1's "G1 Old Generation" bean counts only those; System.gc() runs one). */
    private static long fullCollections() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(b -> b.getName().contains("Old") || b.getName().contains("MarkSweep"))
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionCount).sum();
    }

    @Test
    void anApplicationTrainsResumesAndSamplesThroughThePublicApi(@TempDir Path tmp) {
        Path dir = tmp.resolve("run");
        TrainingRun run = shapes(dir, TrainingRun.Overrides.builder().batch(16).steps(24).seed(3L).checkpointEvery(12)
                .sampleEvery(0).build()).build();
        assertEquals(24, run.trainer().totalSteps());
        List<Double> losses = run.train();
        assertEquals(24, losses.size());
        double first = losses.subList(0, 6).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(18, 24).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < first, "the loss falls: first six steps " + first + ", last six " + last);
        for (String f : List.of("run.json", "metrics.csv", "loss.png", "checkpoints")) {
            assertTrue(Files.exists(dir.resolve(f)), f);
        }
        // what the offline default's untrained text tower can be asked for: the distinct captions
        List<String> captions = ShapesDataset.generate(ShapesDataset.Split.TRAIN, 96, 16, 3L).captions().stream()
                .distinct().toList();
        assertTrue(captions.size() > 1 && captions.size() < 96, captions.toString());
        assertEquals(captions, LoadedRun.recordedCaptions(dir));

        T2iException refused = assertThrows(T2iException.class,
                () -> shapes(dir, TrainingRun.Overrides.NONE).build());
        assertTrue(refused.getMessage().contains("already has checkpoints"), refused.getMessage());

        TrainingRun more = shapes(dir, TrainingRun.Overrides.builder().steps(30).build())
                .resume(true).build();
        assertTrue(more.resumed());
        assertEquals(24, more.trainer().step(), "continues where the first run stopped");
        assertEquals(16, more.trainer().config().batch(), "with the batch it was started with");
        assertEquals(6, more.train().size());

        SamplingOptions options = more.sampleDefaults().options(7);
        INDArray[] images = new INDArray[1];
        more.withEmaWeights(() -> images[0] = more.generator().generate(List.of("a red circle"), null, options));
        assertEquals(List.of(1L, 3L, 16L, 16L), List.of(images[0].shape()[0], images[0].shape()[1],
                images[0].shape()[2], images[0].shape()[3]));
        assertNotNull(LoadedRun.load(dir).model(), "the run folder loads for sampling");
    }

    @Test
    void aRunThatAutoguidesDrawsItsGridsWithoutAndKeepsItsGuideModel(@TempDir Path tmp) {
        Path dir = tmp.resolve("run");
        Preset shapes = Preset.named("shapes");
        Preset guided = new Preset(shapes.description(), shapes.model(),
                shapes.train().toBuilder().guideAt(0.5).build(),
                new Preset.SampleDefaults(4, 3.0, shapes.sample().sampler(), shapes.sample().cfgInterval(), 2.0));
        // grids at steps 2 and 4, before and after the guide model exists: neither may need it
        TrainingRun.builder(dir).preset(guided)
                .overrides(TrainingRun.Overrides.builder().batch(8).steps(4).checkpointEvery(2).sampleEvery(2).build())
                .data(o -> ShapesDataset.generate(ShapesDataset.Split.TRAIN, 32, o.imageSize(), o.seed()))
                .progress(TrainerTest.silent()).build().train();
        assertTrue(Files.exists(dir.resolve("samples/step-00000002.png")));
        assertTrue(Files.exists(dir.resolve("samples/step-00000004.png")));
        assertTrue(Files.exists(dir.resolve(Checkpoint.GUIDE)));
        LoadedRun run = LoadedRun.load(dir, LoadedRun.Weights.EMA, true);
        assertNotNull(run.guide());
        assertEquals(2.0, run.sample().guideScale());
    }

    @Test
    void aRunKilledDuringItsFirstCheckpointWriteStartsAgain(@TempDir Path tmp) throws IOException {
        // what kill -9 during the first checkpoint write leaves (tools/kill_test.sh): run.json and,
        // in checkpoints/, only the writer's temporary file, cut short. Both commands used to refuse
        // it: --resume with "no checkpoints in", a new run with "already has checkpoints".
        Path dir = tmp.resolve("run");
        Path torn = dir.resolve("checkpoints").resolve(".step-00000002.t2i4242.tmp");
        Files.createDirectories(torn.getParent());
        Files.writeString(dir.resolve("run.json"), "{}");
        Files.write(torn, new byte[] {'P', 'K', 3, 4});

        T2iException noRun = assertThrows(T2iException.class,
                () -> shapes(dir, TrainingRun.Overrides.NONE).resume(true).build());
        assertTrue(noRun.getMessage().contains("no run to resume") && noRun.getMessage().contains("drop --resume"),
                noRun.getMessage());

        TrainingRun again = shapes(dir, TrainingRun.Overrides.builder().batch(8).steps(2).checkpointEvery(2)
                .sampleEvery(0).build()).build();
        assertEquals(2, again.train().size());
        assertTrue(Files.isRegularFile(dir.resolve("checkpoints").resolve("step-00000002.t2i")));
        assertFalse(Files.exists(torn), "the first checkpoint clears the torn temporary file");
    }

    @Test
    void badInputIsRefusedBeforeTheFirstStep(@TempDir Path tmp) {
        T2iException noData = assertThrows(T2iException.class, () -> TrainingRun.builder(tmp).build());
        assertTrue(noData.getMessage().contains("no training data"), noData.getMessage());
        T2iException noRun = assertThrows(T2iException.class,
                () -> shapes(tmp.resolve("none"), TrainingRun.Overrides.NONE).resume(true).build());
        assertTrue(noRun.getMessage().contains("no run to resume"), noRun.getMessage());
        assertThrows(T2iException.class, () -> TrainingRun.Overrides.builder().batch(0).build());
    }
}
