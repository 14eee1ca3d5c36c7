package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.clip.ClipTextConfig;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.config.Preset;
import dev.t2i.platform.Backend;
import dev.t2i.runtime.Workers;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * {@code t2i bench train-step|sample|encode|tokenize}: speed and memory of the workloads, one figure
 * per line ({@code name value unit}), medians of timed repetitions after warm-up. Weights are
 * random (the cost does not depend on them); the text encoder is the full-size CLIP ViT-B/32 text
 * tower with seeded random weights, so no download is needed, unless {@code --clip} names a
 * Hugging Face folder or converted file, whose load time is then measured too.
 */
final class BenchCommand implements Command {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure train-step, sample, encode or tokenize speed and peak memory (name value unit per line)";
    }

    @Override
    public String usage() {
        return "train-step|sample|encode|tokenize [--preset seed] [--batch 64] [--threads N] [--warmup auto] [--reps 3]";
    }

    @Override
    public Options options() {
        return new Options()
                .addOption(Args.value("preset", "NAME", "model (and batch) of a preset, by name or YAML file (default seed)"))
                .addOption(Args.value("batch", "N", "train-step: images per step (default: the preset's, 64)"))
                .addOption(Args.value("steps", "N", "sample: Euler steps (default 50)"))
                .addOption(Args.value("images", "N", "sample: images, one prompt each, CFG in one batch (default 10)"))
                .addOption(Args.value("threads", "N", "ND4J and BLAS threads (default 1, or T2I_THREADS)"))
                .addOption(Args.value("blas-threads", "N", "BLAS threads for matrix products (default: --threads,"
                        + " or T2I_BLAS_THREADS)"))
                .addOption(Args.value("workers", "N", "threads that run shards of a batch side by side (default: one per"
                        + " core up to 4, or T2I_WORKERS)"))
                .addOption(Args.value("clip", "PATH", "encode: a CLIP folder or converted file to load (and time the"
                        + " loading of) instead of the random ViT-B/32 tower; tokenize (required): a Hugging Face"
                        + " tokenizer folder or bpe_simple_vocab_16e6.txt.gz"))
                .addOption(Args.value("positions", "N", "encode: token positions encoded (default 77, all; a DiT with"
                        + " context_len N needs only the first N)"))
                .addOption(Args.value("warmup", "N|auto", "untimed runs first (default auto: until the JIT compiler is"
                        + " quiet, 2 to 20 runs)"))
                .addOption(Args.value("reps", "N", "timed runs; the median is reported (default 3)"))
                .addOption(Args.flag("profile", "train-step, sample: then run --reps more times with every op timed"
                        + " and print where the time goes, per op kind"));
    }

    @Override
    public int run(CommandLine cmd) {
        if (cmd.getArgList().size() != 1) {
            throw new T2iException("say what to measure: t2i bench train-step|sample|encode|tokenize");
        }
        Integer threads = Args.intValue(cmd, "threads");
        Integer blas = Args.intValue(cmd, "blas-threads");
        if (threads != null || blas != null) {
            Backend.configureThreads(threads != null ? threads : 1, blas);
        }
        if (cmd.hasOption("workers")) {
            Workers.configure(Args.intValue(cmd, "workers"));
        }
        int warmup = warmup(cmd.getOptionValue("warmup", "auto"));
        int reps = Args.intValue(cmd, "reps", 3);
        if ((warmup < 0 && warmup != Measure.AUTO_WARMUP) || reps < 1) {
            throw new T2iException("--warmup must be auto or 0 or more, and --reps at least 1");
        }
        String what = cmd.getArgList().get(0);
        System.err.printf(Locale.ROOT, "bench %s: %s, %d workers, warm-up %s, %d reps, load average %.2f%n", what,
                Backend.describe(), Workers.shared().count(), warmup == Measure.AUTO_WARMUP ? "auto" : warmup, reps,
                Measure.loadAverage());
        Preset preset = Preset.resolve(cmd.getOptionValue("preset", "seed"));
        switch (what) {
            case "train-step" -> TrainStepBench.run(preset, Args.intValue(cmd, "batch", preset.train().batch()),
                    warmup, reps, cmd.hasOption("profile"));
            case "sample" -> SampleBench.run(preset, Args.intValue(cmd, "images", 10), Args.intValue(cmd, "steps", 50),
                    warmup, reps, cmd.hasOption("profile"));
            case "encode" -> encode(cmd.getOptionValue("clip"), Args.intValue(cmd, "positions", 77), warmup, reps);
            case "tokenize" -> tokenize(cmd.getOptionValue("clip"), warmup, reps);
            default -> throw new T2iException("unknown benchmark '" + what
                    + "' (use train-step, sample, encode or tokenize)");
        }
        Measure.report("peak_rss_mb", Measure.peakRssMb(), "MB");
        Runtime rt = Runtime.getRuntime();
        System.err.printf(Locale.ROOT, "now: Java heap %d MB committed, native buffers %d MB (JavaCPP)%n",
                rt.totalMemory() >> 20, org.bytedeco.javacpp.Pointer.totalBytes() >> 20);
        return 0;
    }

    private static int warmup(String value) {
        if (value.equals("auto")) {
            return Measure.AUTO_WARMUP;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new T2iException("--warmup needs a whole number or 'auto', got '" + value + "'");
        }
    }

    private static void encode(String clipSpec, int positions, int warmup, int reps) {
        ClipTextEncoder clip;
        if (clipSpec == null) {
            clip = ClipTextEncoder.random(ClipTextConfig.vitB32(), 0);
        } else {
            // the file is in the page cache after the warm-up: this is the parsing and graph building
            Measure.Times load = Measure.median(warmup, reps, () -> ClipTextEncoder.load(clipSpec));
            Measure.report("clip_load_s", load.wallSeconds(), "s");
            clip = ClipTextEncoder.load(clipSpec);
        }
        java.util.List<String> prompts = SampleBench.prompts(64);
        Measure.report("encode_positions", Math.min(positions, clip.config().maxPositions()), "positions");
        Measure.Times batch = Measure.median(warmup, reps, () -> clip.encodePrefix(prompts, positions));
        Measure.Times one = Measure.median(warmup, reps, () -> clip.encodePrefix(prompts.subList(0, 1), positions));
        Measure.report("encode_batch64_s", batch.wallSeconds(), "s");
        Measure.report("encode_batch64_cpu_s", batch.cpuSeconds(), "s");
        Measure.report("encode_1_s", one.wallSeconds(), "s");
        Measure.report("encode_prompts_per_s", 64 / batch.wallSeconds(), "prompts/s");
    }

    /**
     * Single-thread tokenizer throughput on {@value #TOKENIZE_ROUNDS} rounds of the 64 bench
     * prompts; {@code tokenize_tokens} (the prompts' tokens, start and end included) names the work.
     */
    private static void tokenize(String vocabulary, int warmup, int reps) {
        if (vocabulary == null) {
            throw new T2iException("bench tokenize needs --clip: a Hugging Face tokenizer folder (vocab.json,"
                    + " merges.txt) or bpe_simple_vocab_16e6.txt.gz");
        }
        dev.t2i.tokenizer.ClipTokenizer tokenizer = dev.t2i.tokenizer.ClipTokenizer.load(java.nio.file.Path.of(vocabulary));
        java.util.List<String> prompts = SampleBench.prompts(64);
        long tokens = 0;
        for (String p : prompts) {
            tokens += tokenizer.tokenize(p).eosIndex() + 1;
        }
        Measure.report("tokenize_tokens", tokens, "tokens");
        Measure.Times t = Measure.median(warmup, reps, () -> {
            for (int r = 0; r < TOKENIZE_ROUNDS; r++) {
                for (String p : prompts) {
                    tokenizer.tokenize(p);
                }
            }
        });
        Measure.report("tokenize_s", t.wallSeconds(), "s");
        Measure.report("tokenize_prompts_per_s", TOKENIZE_ROUNDS * 64 / t.wallSeconds(), "prompts/s");
    }

    private static final int TOKENIZE_ROUNDS = 200;
}
