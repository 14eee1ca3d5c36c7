package dev.t2i.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Latency per image alone and throughput from 8 threads, with and without batching: printed, not
 * asserted (timings belong to the machine). What it asserts is the batching the timings depend on:
 * every request is answered, a batch limit of 1 runs requests one by one and a limit of 16 merges
 * the requests of 8 threads asking at once. Slow, so excluded by default; run it with
 * {@code mvn -o test -Dtest=ThroughputBenchTest -Dsurefire.excludedGroups=none [-Dt2i.bench.bundle=FILE.t2i]}
 * (the tiny test model always, a real bundle when given).
 */
@Tag("slow")
class ThroughputBenchTest {
    private static final int THREADS = 8;
    private static final int REQUESTS_PER_THREAD = 3;

    @Test
    void eightThreadsAreBatchedTogetherUnlessTheLimitIsOne(@TempDir Path dir) throws Exception {
        measure("tiny", TinyBundles.bundle(dir, 1));
        String other = System.getProperty("t2i.bench.bundle");
        if (other != null) {
            measure(Path.of(other).getFileName().toString(), Path.of(other));
        }
    }

    private static void measure(String name, Path bundle) throws Exception {
        for (int maxBatch : new int[] {16, 1}) {
            long t0 = System.nanoTime();
            try (T2iModel model = T2iModel.load(bundle, new BatchingOptions(maxBatch, 64))) {
                double loadSecs = (System.nanoTime() - t0) / 1e9;
                for (int i = 0; i < 2 * THREADS; i++) {
                    // encodes every prompt once, so what follows times sampling, and warms the JIT
                    model.generate(request(i % THREADS, i));
                }
                long s0 = System.nanoTime();
                int alone = 8;
                for (int i = 0; i < alone; i++) {
                    model.generate(request(i, 1000 + i));
                }
                double perImageAlone = (System.nanoTime() - s0) / 1e6 / alone;

                CyclicBarrier start = new CyclicBarrier(THREADS);
                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                List<Future<double[]>> futures = new ArrayList<>();
                long c0 = System.nanoTime();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        start.await();
                        double latency = 0;
                        double batch = 0;
                        for (int r = 0; r < REQUESTS_PER_THREAD; r++) {
                            GenerationResult res = model.generate(request(thread, 2000 + thread * 100 + r));
                            latency += res.totalTime().toNanos() / 1e6;
                            batch += res.batchImages();
                        }
                        return new double[] {latency, batch};
                    }));
                }
                double latencySum = 0;
                double batchSum = 0;
                for (Future<double[]> f : futures) {
                    double[] v = f.get(30, TimeUnit.MINUTES);
                    latencySum += v[0];
                    batchSum += v[1];
                }
                double wall = (System.nanoTime() - c0) / 1e9;
                pool.shutdown();
                int images = THREADS * REQUESTS_PER_THREAD;
                ModelInfo info = model.info();
                System.out.printf(Locale.ROOT, "BENCH %s (%dx%d, %d %s steps, cfg %.1f, max batch %d): load %.1f s;"
                        + " alone %.0f ms/image; 8 threads: %.2f images/s, %.0f ms mean request latency, mean batch"
                        + " %.1f images%n", name, info.imageSize(), info.imageSize(), info.defaultSteps(),
                        info.defaultSampler().id(), info.defaultCfgScale(), maxBatch, loadSecs,
                        perImageAlone, images / wall, latencySum / images, batchSum / images);
                assertEquals(0, model.queuedRequests(), "every request answered");
                if (maxBatch == 1) {
                    assertEquals(1.0, batchSum / images, 0.0, "a batch limit of 1 runs requests one by one");
                } else {
                    // 8 threads asking at once: the queue must have merged some of their requests
                    assertTrue(batchSum / images > 1.5, "mean batch " + batchSum / images);
                }
            }
        }
    }

    private static GenerationRequest request(int prompt, long seed) {
        return GenerationRequest.builder("a shape number " + prompt).seed(seed).build();
    }
}
