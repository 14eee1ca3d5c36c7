package dev.t2i.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.T2iException;
import dev.t2i.config.Preset;
import dev.t2i.config.TrainConfig;
import dev.t2i.dit.DitConfig;
import dev.t2i.dit.DitGraph;
import dev.t2i.dit.DitNetwork;
import dev.t2i.runtime.Workers;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    static final DitConfig TINY = DitConfig.builder().imgSize(8).patchSize(2).embedDim(32).depth(1).numHeads(2)
            .mlpRatio(2.0).contextDim(16).contextLen(4).numClasses(2).build();

    static TrainConfig recipe(int steps, long seed) {
        return TrainConfig.builder().batch(8).steps(steps).lr(3e-3).weightDecay(0.0).gradClip(1.0).emaDecay(0.99)
                .flip(true).seed(seed).logEvery(10).keepCheckpoints(2).build();
    }

    static TrainingProgress silent() {
        return new TrainingProgress(new PrintStream(java.io.OutputStream.nullOutputStream()), false, 1);
    }

    static Trainer trainer(Path dir, int steps, long seed) {
        DitNetwork model = DitGraph.build(TINY, seed);
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

    @Test
    void aModelCentringItsTextResumesExactly(@TempDir Path a, @TempDir Path b) {
        DitConfig centred = TINY.toBuilder().textCentering(true).build();
        List<Double> straight = centredTrainer(centred, a).run(Long.MAX_VALUE);

        Trainer first = centredTrainer(centred, b);
        List<Double> resumed = new ArrayList<>(first.run(4));
        first.checkpoint();
        Checkpoint c = Checkpoint.read(b);
        assertEquals(first.model().textCentering().scale(), c.model().textCentering().scale());
        // a model whose centring was fitted to other captions: restore puts the run's own back
        DitNetwork other = DitGraph.build(centred, 7);
        other.setTextCentering(dev.t2i.dit.TextCentering.fit(org.nd4j.linalg.factory.Nd4j.rand(3, 4, 16)));
        Trainer second = new Trainer(other, recipe(8, 7), ToyData.images(32), ToyData.textConditioner(4, 16), b, null)
                .progress(silent()).restore(c);
        resumed.addAll(second.run(Long.MAX_VALUE));
        assertEquals(straight, resumed, "loss sequence after resume");
    }

    private static Trainer centredTrainer(DitConfig cfg, Path dir) {
        var data = ToyData.images(32);
        var conditioner = ToyData.textConditioner(4, 16);
        return new Trainer(TrainingRun.newModel(cfg, 7, conditioner, data), recipe(8, 7), data, conditioner, dir,
                null).progress(silent());
    }

    @Test
    void keepingEveryForwardValueTrainsBitForBitAsRecomputing(@TempDir Path a, @TempDir Path b) {
        // the toy model frees little: recompute wherever it frees anything, so that the two plans differ
        System.setProperty("t2i.recomputeMinMb", "0");
        try {
            List<List<Double>> losses = new ArrayList<>();
            long[] ops = new long[2];
            for (int run = 0; run < 2; run++) {
                boolean recompute = run == 0;
                DitNetwork model = DitGraph.build(TINY, 5);
                Trainer t = new Trainer(model, recipe(6, 5).toBuilder().recompute(recompute).build(),
                        ToyData.images(32), ToyData.textConditioner(4, 16), recompute ? a : b, null).progress(silent());
                dev.t2i.runtime.OpProfile profile = new dev.t2i.runtime.OpProfile();
                model.graph().getFunction("grad").addListeners(profile);
                losses.add(t.run(Long.MAX_VALUE));
                ops[run] = profile.totalOps();
            }
            assertEquals(losses.get(0), losses.get(1), "loss sequence");
            assertTrue(ops[0] > ops[1], "recomputing runs more ops: " + ops[0] + " against " + ops[1] + " kept");
        } finally {
            System.clearProperty("t2i.recomputeMinMb");
        }
    }

    @Test
    void dataParallelShardsTrainLikeOneThread(@TempDir Path a, @TempDir Path b, @TempDir Path c) {
        try {
            Workers.configure(1);
            Trainer one = trainer(a, 6, 5);
            List<Double> single = one.run(Long.MAX_VALUE);
            Workers.configure(2);
            Trainer two = trainer(b, 6, 5);
            List<Double> sharded = two.run(Long.MAX_VALUE);
            Workers.configure(3);
            Trainer three = trainer(c, 6, 5);
            List<Double> threeShards = three.run(Long.MAX_VALUE);
            for (int i = 0; i < single.size(); i++) {
                assertEquals(single.get(i), sharded.get(i), 1e-5 * single.get(i), "loss of step " + i + ", 2 workers");
                assertEquals(single.get(i), threeShards.get(i), 1e-5 * single.get(i), "loss of step " + i + ", 3 workers");
            }
            var w1 = one.model().weights();
            var w2 = two.model().weights();
            // looser than the losses: the cross-attention key bias has a zero true gradient (softmax
            // ignores a shift shared by all keys), and AdamW turns rounding noise there into steps
            for (String k : w1.keySet()) {
                double diff = w1.get(k).sub(w2.get(k)).amaxNumber().doubleValue();
                assertTrue(diff < 1e-4, k + " differs by " + diff + " after 6 steps");
            }
        } finally {
            Workers.configure(Workers.defaultCount());
        }
    }

    @Test
    void aDataSetSmallerThanTheBatchTrainsWithBatchesOfItsSize(@TempDir Path dir) {
        DitNetwork model = DitGraph.build(TINY, 3);
        Trainer t = new Trainer(model, recipe(4, 3), ToyData.images(5), ToyData.textConditioner(4, 16), dir, null)
                .progress(silent());
        assertEquals(5, t.config().batch());
        assertEquals(4, t.run(Long.MAX_VALUE).size());
    }

    @Test
    void aTimeLimitEndsTheRunWithACheckpointAndTheRateAtZero(@TempDir Path dir) {
        DitNetwork model = DitGraph.build(TINY, 4);
        TrainConfig cosine = recipe(100_000, 4).toBuilder().schedule(TrainConfig.Schedule.COSINE).timeLimit("3s")
                .build();
        // a clock that moves 10 ms each time the trainer reads it: the limit falls after tens of
        // steps, however busy the machine
        long[] now = {0};
        Trainer t = new Trainer(model, cosine, ToyData.images(32),
                ToyData.textConditioner(4, 16), dir, null).progress(silent()).clock(() -> now[0] += 10_000_000L);
        t.run(Long.MAX_VALUE);
        assertTrue(t.step() > 10 && t.step() < 1_000, "stopped at step " + t.step());
        assertTrue(t.finished());
        Checkpoint c = Checkpoint.read(dir);
        assertEquals(t.step(), c.state().step(), "the final checkpoint is the last step");
        assertTrue(c.state().elapsedSeconds() >= 3, "elapsed " + c.state().elapsedSeconds());
        List<MetricsLog.Row> rows = MetricsLog.read(dir.resolve("metrics.csv"));
        assertEquals(t.step(), rows.get(rows.size() - 1).step());
        // the last step ran just before the budget ran out, so its rate is near zero, not zero
        assertTrue(rows.get(rows.size() - 1).lr() < 0.1 * 3e-3, "final rate " + rows.get(rows.size() - 1).lr());
    }

    @Test
    void aResumedRunsFirstMetricsRowCountsTheStepsBeforeTheInterruption(@TempDir Path a, @TempDir Path b) {
        trainer(a, 20, 9).run(Long.MAX_VALUE);
        Trainer first = trainer(b, 20, 9);
        first.run(15);
        first.checkpoint();
        trainer(b, 20, 9).restore(Checkpoint.read(b)).run(Long.MAX_VALUE);
        List<MetricsLog.Row> straight = MetricsLog.read(a.resolve("metrics.csv"));
        List<MetricsLog.Row> resumed = MetricsLog.read(b.resolve("metrics.csv"));
        assertEquals(straight.size(), resumed.size(), "rows " + resumed);
        for (int i = 0; i < straight.size(); i++) {
            assertEquals(straight.get(i).step(), resumed.get(i).step());
            assertEquals(straight.get(i).loss(), resumed.get(i).loss(), 1e-6, "mean loss of row " + i);
        }
    }

    @Test
    void resumeSurvivesACorruptNewestCheckpointAndATornMetricsLine(@TempDir Path a, @TempDir Path b)
            throws Exception {
        List<Double> straight = trainer(a, 16, 11).run(Long.MAX_VALUE);
        Trainer first = trainer(b, 16, 11);
        List<Double> resumed = new ArrayList<>(first.run(8));
        first.run(12);
        Path newest = Checkpoint.latest(b);
        assertTrue(newest.getFileName().toString().contains("00000012"), newest.toString());
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.writeString(b.resolve("metrics.csv"), "12,0.37", java.nio.file.StandardOpenOption.APPEND);

        Checkpoint c = Checkpoint.read(b);
        assertEquals(8, c.state().step(), "fell back to the previous checkpoint");
        resumed.addAll(trainer(b, 16, 11).restore(c).run(Long.MAX_VALUE));
        assertEquals(straight, resumed, "loss sequence after falling back");
        assertEquals(MetricsLog.read(a.resolve("metrics.csv")).size(), MetricsLog.read(b.resolve("metrics.csv")).size());
        try (var files = Files.list(b.resolve("checkpoints"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void droppingHalfTheTokensTrainsAndEndsOnAllOfThem(@TempDir Path dir) {
        DitNetwork model = DitGraph.build(TINY, 1);
        TrainConfig cfg = recipe(150, 1).toBuilder().tokenDrop(0.5).tokenDropUntil(0.8).build();
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        Trainer trainer = new Trainer(model, cfg, ToyData.images(32), ToyData.textConditioner(4, 16), dir, null)
                .progress(new TrainingProgress(new PrintStream(log), false, 1));
        List<Double> losses = trainer.run(Long.MAX_VALUE);
        double first = losses.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = losses.subList(140, 150).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        // steps 1-120 on 8 of 16 tokens, then all of them
        assertTrue(log.toString().contains("step 121: training on all 16 tokens"), log.toString());
    }

    @Test
    void aDivergingRunStopsWithOneLineThatNamesTheSettingToChange(@TempDir Path dir) {
        TrainConfig wild = recipe(20, 2).toBuilder().lr(0.9).gradClip(0).warmupSteps(0).build();
        Trainer t = new Trainer(DitGraph.build(TINY, 2), wild, ToyData.images(16), ToyData.textConditioner(4, 16),
                dir, null).progress(silent());
        T2iException e = assertThrows(T2iException.class, () -> t.run(Long.MAX_VALUE));
        assertTrue(e.getMessage().matches("training diverged: the loss became (NaN|-?Infinity) at step \\d+;"
                + " set train.grad_clip \\(e.g. 1.0\\) or lower train.lr"), e.getMessage());
    }

    @Test
    void aRunResumedPastTheTokenDropPhaseNeverBuildsItsGraph(@TempDir Path dir) {
        TrainConfig cfg = recipe(20, 1).toBuilder().tokenDrop(0.5).tokenDropUntil(0.5).build();
        java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
        Trainer a = new Trainer(DitGraph.build(TINY, 1), cfg, ToyData.images(32), ToyData.textConditioner(4, 16), dir,
                null).progress(new TrainingProgress(new PrintStream(first), false, 1));
        a.run(15);
        a.checkpoint();
        assertTrue(first.toString().contains("token_drop 0.5: the blocks run on 8 of the 16 tokens"), first.toString());
        assertTrue(first.toString().contains("step 11: training on all 16 tokens"), first.toString());
        java.io.ByteArrayOutputStream second = new java.io.ByteArrayOutputStream();
        Trainer b = new Trainer(DitGraph.build(TINY, 1), cfg, ToyData.images(32), ToyData.textConditioner(4, 16), dir,
                null).progress(new TrainingProgress(new PrintStream(second), false, 1)).restore(Checkpoint.read(dir));
        assertEquals(5, b.run(Long.MAX_VALUE).size());
        // the graph (and its message) would come with the first token-dropping step: there is none
        assertFalse(second.toString().contains("token"), second.toString());
    }

    @Test
    void aRunKeepsItsGuideModelAtGuideAtForLaterCheckpointsOnly(@TempDir Path dir) {
        TrainConfig cfg = recipe(40, 3).toBuilder().guideAt(0.5).checkpointEvery(10).keepCheckpoints(10).build();
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        Trainer trainer = new Trainer(DitGraph.build(TINY, 3), cfg, ToyData.images(32), ToyData.textConditioner(4, 16),
                dir, null).progress(new TrainingProgress(new PrintStream(log), false, 1))
                .sampleDefaults(new Preset.SampleDefaults(4, 3.0, Sampler.EULER, GuidanceInterval.FULL, 2.0));
        trainer.run(Long.MAX_VALUE);
        assertTrue(log.toString().contains("step 20: kept the EMA weights as the guide model guide.t2i"), log.toString());

        // the EMA weights of step 20, without optimiser moments
        Checkpoint guide = Checkpoint.read(dir.resolve(Checkpoint.GUIDE));
        Checkpoint at20 = Checkpoint.read(dir.resolve("checkpoints/step-00000020.t2i"));
        assertEquals(20, guide.state().step());
        assertTrue(guide.optimizer() == null || guide.optimizer().isEmpty());
        for (var e : at20.ema().entrySet()) {
            assertEquals(e.getValue(), guide.ema().get(e.getKey()), e.getKey());
        }

        // the run folder samples with it; a checkpoint no later than the guide cannot use it
        LoadedRun run = LoadedRun.load(dir, LoadedRun.Weights.EMA, true);
        assertEquals(40, run.state().step());
        assertEquals(2.0, run.sample().guideScale());
        assertEquals(guide.ema().get("final_proj.weight"), run.guide().weights().get("final_proj.weight"));
        assertNull(LoadedRun.load(dir).guide(), "loaded only when asked for");
        LoadedRun early = LoadedRun.load(dir.resolve("checkpoints/step-00000020.t2i"), LoadedRun.Weights.EMA, true);
        assertNull(early.guide());
        assertEquals(1.0, early.sample().guideScale(), "sampled without autoguidance, with a warning");

        // resumed after the guide was kept, a run does not write it again
        java.io.ByteArrayOutputStream again = new java.io.ByteArrayOutputStream();
        Trainer resumed = new Trainer(DitGraph.build(TINY, 3), cfg.toBuilder().steps(50).build(), ToyData.images(32),
                ToyData.textConditioner(4, 16), dir, null).progress(new TrainingProgress(new PrintStream(again), false, 1))
                .restore(Checkpoint.read(dir));
        resumed.run(Long.MAX_VALUE);
        assertTrue(!again.toString().contains("guide model"), again.toString());
        assertThrows(T2iException.class, () -> TrainConfig.builder().guideAt(1.0).build());
    }

    @Test
    void tokenSelectionsKeepDistinctTokensInOrder() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        org.nd4j.linalg.api.ndarray.INDArray s = Trainer.tokenSelection(rng, 5, 16, 6);
        assertEquals(List.of(5L, 6L, 16L), java.util.Arrays.stream(s.shape()).boxed().toList());
        java.util.Set<String> subsets = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
            int previous = -1;
            StringBuilder subset = new StringBuilder();
            for (int j = 0; j < 6; j++) {
                org.nd4j.linalg.api.ndarray.INDArray row = s.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(j));
                assertEquals(1.0, row.sumNumber().doubleValue(), 0.0, "one-hot row");
                int token = row.argMax().getInt(0);
                assertTrue(token > previous, "kept tokens in order, no repeats");
                previous = token;
                subset.append(token).append(' ');
            }
            subsets.add(subset.toString());
        }
        assertTrue(subsets.size() > 1, "each image draws its own tokens");
        assertEquals(Trainer.tokenSelection(new java.util.SplittableRandom(3), 5, 16, 6), s, "a function of the stream");
        assertEquals(8, TrainConfig.builder().tokenDrop(0.5).build().keptTokens(16));
        assertEquals(1, TrainConfig.builder().tokenDrop(0.99).build().keptTokens(16));
        var e = assertThrows(T2iException.class, () -> TrainConfig.builder().tokenDrop(1.0).build());
        assertTrue(e.getMessage().contains("token_drop = 1.0"), e.getMessage());
        assertThrows(T2iException.class, () -> TrainConfig.builder().tokenDropUntil(1.5).build());
    }

    @Test
    void explicitZerosAreRefusedNotReadAsDefaults() {
        var e = assertThrows(T2iException.class, () -> TrainConfig.builder().batch(0).build());
        assertTrue(e.getMessage().contains("batch = 0"), e.getMessage());
        assertThrows(T2iException.class, () -> TrainConfig.builder().epochs(-3).build());
        assertThrows(T2iException.class, () -> TrainConfig.builder().lr(0.0).build());
        assertThrows(T2iException.class, () -> TrainingRun.Overrides.builder().steps(0).build(),
                "--steps 0 would read as 'take the steps from epochs'");
        assertEquals(TrainConfig.builder().build(), TrainConfig.reference(), "builder defaults are the reference");
    }
}
