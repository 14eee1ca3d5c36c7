package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.Version;
import dev.t2i.api.GenerationParameters;
import dev.t2i.api.GridParameters;
import dev.t2i.api.InitImages;
import dev.t2i.api.ModelIdentity;
import dev.t2i.image.Images;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.SamplingOptions;
import dev.t2i.sampling.StepMonitor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@code sample} and {@code generate-batch} share beyond plain sampling: generation
 * parameters in every PNG, regenerating from a PNG's parameters ({@code --from}),
 * image-to-image ({@code --init-image}, {@code --strength}) and stopping cleanly on Ctrl-C.
 */
final class SampleSupport {
    private SampleSupport() {
    }

    /** Adds --from, --init-image and --strength. */
    static Options addImageOptions(Options o) {
        return o.addOption(Args.value("from", "PNG", "make an image again from the parameters inside a PNG t2i wrote"
                        + " (prompt, seed, steps, sampler, cfg, its interval, negative, strength); options given"
                        + " override them"))
                .addOption(Args.value("init-image", "FILE", "image-to-image: start from this image (scaled to the"
                        + " model's size)"))
                .addOption(Args.value("strength", "S", "image-to-image strength 0..1 (default 0.75): 0 returns the"
                        + " image, 1 ignores it"));
    }

    /** The parameters of {@code --from}, or null without it. */
    static GenerationParameters from(CommandLine cmd) {
        Path p = Args.path(cmd, "from");
        if (p == null) {
            return null;
        }
        GridParameters grid = GridParameters.fromPng(p);
        if (grid != null) {
            throw new T2iException(p + " is a grid of " + grid.cells().size() + " images; --from takes one image"
                    + " (write them one by one with --separate, or --n 1)");
        }
        return GenerationParameters.fromPng(p);
    }

    /**
     * The sampling options for {@code --from}: the PNG's, each overridden by an option given on
     * the command line; one image unless --n says otherwise.
     */
    static SamplingOptions options(CommandLine cmd, GenerationParameters from) {
        SamplingOptions o = SampleCommand.sampling(cmd, new SamplingOptions(from.steps(), from.cfgScale(), 0,
                from.samplerValue(), 1, from.negativePrompt(), from.cfgIntervalValue(),
                from.guideScaleValue()));
        if (!cmd.hasOption("cfg")) {
            o = o.withCfgScale(from.cfgScale());
        }
        if (!cmd.hasOption("negative") && from.negativePrompt() != null) {
            o = o.withNegativePrompt(from.negativePrompt());
        }
        return cmd.hasOption("seed") ? o : o.withSeed(from.seed());
    }

    /** The initial image as [1, 3, S, S] at the model's size, or null without --init-image. */
    static BufferedImage initImage(CommandLine cmd, GenerationParameters from, int size) {
        Path p = Args.path(cmd, "init-image");
        if (p == null) {
            if (from != null && from.strength() != null) {
                throw new T2iException(cmd.getOptionValue("from") + " was made from an initial image (hash "
                        + from.initImageHash() + "); give it again with --init-image FILE");
            }
            if (cmd.hasOption("strength")) {
                throw new T2iException("--strength needs --init-image FILE");
            }
            return null;
        }
        BufferedImage image = InitImages.fit(InitImages.read(p), size);
        if (from != null && from.initImageHash() != null
                && !from.initImageHash().equals(GenerationParameters.imageHash(image))) {
            System.err.println("warning: " + p + " is not the initial image recorded in " + cmd.getOptionValue("from")
                    + "; the result will differ");
        }
        return image;
    }

    /** The image-to-image strength: --strength, else the PNG's, else 0.75; 1 without an initial image. */
    static double strength(CommandLine cmd, GenerationParameters from, BufferedImage init) {
        if (init == null) {
            return 1.0;
        }
        double fallback = from != null && from.strength() != null ? from.strength() : 0.75;
        double s = Args.doubleValue(cmd, "strength", fallback);
        if (!(s >= 0 && s <= 1)) {
            throw new T2iException("--strength must be between 0 and 1, got " + s + " (0 returns the image, 1 ignores"
                    + " it)");
        }
        return s;
    }

    /** The model's name (from --model) and weights hash. */
    static ModelIdentity identity(CommandLine cmd, ImageGenerator gen) {
        return ModelIdentity.of(ModelIdentity.nameOf(Path.of(cmd.getOptionValue("model"))), gen.model());
    }

    /** Warns when --from names a model other than the one loaded (the image will differ). */
    static void checkModel(GenerationParameters from, ModelIdentity model) {
        if (from != null && !model.hash().equals(from.modelHash())) {
            System.err.println("warning: the image was made by model " + from.model() + " (hash " + from.modelHash()
                    + "), this is " + model.name() + " (hash " + model.hash() + "); the result will differ");
        }
    }

    /** The parameters of one generated image. */
    static GenerationParameters parameters(String prompt, SamplingOptions o, long seed, int size, ModelIdentity model,
            BufferedImage init, double strength) {
        return new GenerationParameters(prompt, o.negativePrompt(), seed, o.steps(),
                o.sampler().id(), o.cfgScale(), o.cfgInterval(), size, size, model.name(), model.hash(),
                Version.current(), init == null ? null : strength,
                init == null ? null : GenerationParameters.imageHash(init), o.guideScale());
    }

    /** Writes a PNG with its parameters inside, atomically. */
    static void writePng(Path path, BufferedImage image, GenerationParameters p) {
        write(path, p.png(image));
    }

    /** Writes a grid's PNG with its shared and per-cell parameters inside, atomically. */
    static void writePng(Path path, BufferedImage grid, GridParameters p) {
        write(path, p.png(grid));
    }

    private static void write(Path path, byte[] png) {
        dev.t2i.io.AtomicFiles.write(path, out -> out.write(png));
    }

    /** The tensor form [1, 3, H, W] of an initial image, or null. */
    static INDArray tensor(BufferedImage init) {
        return init == null ? null : Images.toTensor(List.of(init));
    }

    /**
     * Runs {@code work} so that Ctrl-C (or a TERM signal) stops it after the current step instead
     * of killing the process mid-write: {@code work} gets a monitor that throws
     * {@link CancellationException} once a stop was asked for.
     *
     * @return what {@code work} returned, or null when it was stopped
     */
    static <T> T stoppable(java.util.function.Function<StepMonitor, T> work, StepMonitor progress) {
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            System.err.println("\nstopping after the current step...");
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.apply((step, total, t, x, v) -> {
                if (stop.get()) {
                    throw new CancellationException("stopped at step " + step + " of " + total);
                }
                progress.onStep(step, total, t, x, v);
            });
        } catch (CancellationException e) {
            System.err.println(e.getMessage() + "; nothing more written");
            return null;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook is running and waits for us
            }
        }
    }

    /**
     * A progress bar over sampling steps on a console's standard error; elsewhere (logs, pipes)
     * one line when sampling starts.
     */
    static StepMonitor stepBar(String label) {
        boolean terminal = System.console() != null;
        return (step, total, t, x, v) -> {
            if (!terminal && step == 1) {
                System.err.printf(Locale.ROOT, "%s: %d steps (Ctrl-C stops after the current one)%n", label, total);
            } else if (terminal) {
                int width = 30;
                int done = width * step / total;
                System.err.printf(Locale.ROOT, "\r%s [%s%s] %d/%d ", label, "=".repeat(done), " ".repeat(width - done),
                        step, total);
                if (step == total) {
                    System.err.println();
                }
            }
        };
    }
}
