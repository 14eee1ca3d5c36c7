package dev.t2i.cli;

import dev.t2i.T2iException;
import dev.t2i.api.BatchingOptions;
import dev.t2i.api.ModelInfo;
import dev.t2i.api.T2iModel;
import dev.t2i.bundle.Bundle;
import dev.t2i.server.GenerationServer;
import dev.t2i.server.ServerOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/** {@code t2i serve}: an HTTP endpoint for a bundle, until the process is stopped. */
final class ServeCommand implements Command {
    /** How long requests in flight may go on after SIGTERM before they are cancelled. */
    static final Duration DRAIN = Duration.ofSeconds(5);

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "serve a bundle over HTTP: /v1/generate, /v1/jobs, /v1/images/generations, /health"
                + " (loopback unless --host)";
    }

    @Override
    public String usage() {
        return "--model FILE.t2i [--port N] [--host ADDR] [--max-steps N] [--max-n N] [--max-work N] [--queue N]"
                + " [--max-batch N]";
    }

    @Override
    public Options options() {
        ServerOptions d = ServerOptions.defaults();
        BatchingOptions b = BatchingOptions.defaults();
        return new Options()
                .addOption(Args.required("model", "FILE", "bundle written by 't2i bundle'"))
                .addOption(Args.value("port", "N", "TCP port (default " + d.port() + "; 0 picks a free one)"))
                .addOption(Args.value("drain", "SECONDS", "on SIGTERM, how long requests in flight may finish"
                        + " before they are cancelled (default " + DRAIN.toSeconds() + ")"))
                .addOption(Args.value("host", "ADDR", "address to bind (default " + d.host()
                        + "; 0.0.0.0 exposes it to the network)"))
                .addOption(Args.value("max-steps", "N", "most steps a request may ask for (default " + d.maxSteps()
                        + ")"))
                .addOption(Args.value("max-n", "N", "most images per request (default " + d.maxImages() + ")"))
                .addOption(Args.value("max-work", "N", "most images times steps per request (default "
                        + d.maxImageSteps() + ")"))
                .addOption(Args.value("request-timeout", "SECONDS", "stop a request still generating after this"
                        + " long, answering 504 (default " + d.requestTimeoutSeconds() + ")"))
                .addOption(Args.value("max-body", "BYTES", "largest request body (default " + d.maxBodyBytes() + ")"))
                .addOption(Args.value("queue", "N", "requests that may wait before 503 (default "
                        + b.maxQueuedRequests() + ")"))
                .addOption(Args.value("max-batch", "N", "most images generated in one batch (default "
                        + b.maxBatchImages() + ")"));
    }

    @Override
    public int run(CommandLine cmd) throws InterruptedException {
        Path path = Path.of(cmd.getOptionValue("model"));
        ServerOptions d = ServerOptions.defaults();
        ServerOptions options;
        BatchingOptions batching;
        try {
            options = new ServerOptions(cmd.getOptionValue("host", d.host()), Args.intValue(cmd, "port", d.port()),
                    Args.intValue(cmd, "max-body", d.maxBodyBytes()), Args.intValue(cmd, "max-steps", d.maxSteps()),
                    Args.intValue(cmd, "max-n", d.maxImages()), d.handlerThreads(),
                    Args.intValue(cmd, "request-timeout", d.requestTimeoutSeconds()),
                    Args.intValue(cmd, "max-work", d.maxImageSteps()));
            BatchingOptions b = BatchingOptions.defaults();
            batching = new BatchingOptions(Args.intValue(cmd, "max-batch", b.maxBatchImages()),
                    Args.intValue(cmd, "queue", b.maxQueuedRequests()));
        } catch (IllegalArgumentException e) {
            throw new T2iException(e.getMessage());
        }
        // the options first: a bad limit is refused before any file is read
        if (!Bundle.isBundle(path)) {
            throw new T2iException(path + " is not a bundle; make one with 't2i bundle --model RUN --out FILE.t2i'");
        }
        // process-wide, so the command line's job, before the JDK's HTTP server first loads
        GenerationServer.limitSlowClients(options);
        T2iModel model = T2iModel.load(path, batching);
        GenerationServer server;
        try {
            server = GenerationServer.start(model, options);
        } catch (IOException e) {
            model.close();
            throw new T2iException("cannot listen on " + options.host() + ":" + options.port() + " (" + e.getMessage()
                    + "); pick another --port");
        }
        double drainSecs = Args.doubleValue(cmd, "drain", (double) DRAIN.toSeconds());
        if (!(drainSecs >= 0)) {
            throw new T2iException("--drain must be 0 or more seconds, got " + drainSecs);
        }
        Duration drain = Duration.ofMillis(Math.round(drainSecs * 1000));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM or Ctrl-C: new requests get 503, those in flight DRAIN to finish, then 503
            long t0 = System.nanoTime();
            int cancelled = server.drain(drain);
            model.close();
            System.out.printf(Locale.ROOT, "stopped in %.1f s (%d request(s) cancelled, every client answered)%n",
                    (System.nanoTime() - t0) / 1e9, cancelled);
        }, "t2i-serve-shutdown"));
        // this process is the server's own: it may collect and trim (library code does not)
        dev.t2i.runtime.ProcessHousekeeping.everyMinute();
        ModelInfo info = model.info();
        System.out.printf(Locale.ROOT, "serving %s (%dx%d images, default %d %s steps, cfg %.2f) on http://%s:%d"
                + "  (POST /v1/generate, /v1/jobs, /v1/images/generations, GET /health; Ctrl-C stops)%n", path,
                info.imageSize(), info.imageSize(),
                info.defaultSteps(), info.defaultSampler().id(), info.defaultCfgScale(),
                server.address().getHostString(), server.port());
        new CountDownLatch(1).await();
        return 0;
    }
}
