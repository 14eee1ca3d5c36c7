/**
 * An HTTP endpoint over the {@link dev.t2i.api} package, on the JDK's
 * {@code com.sun.net.httpserver}: {@code POST /v1/generate} (JSON in, PNG or JSON out), the job
 * resource {@code /v1/jobs} (progress, previews, {@code DELETE} to cancel), OpenAI's
 * {@code POST /v1/images/generations} and {@code GET /v1/models}, and {@code GET /health}.
 * Started by {@code t2i serve}, or by an application through
 * {@link dev.t2i.server.GenerationServer} and {@link dev.t2i.server.ServerOptions}. Overload,
 * abandoned clients and deadlines all end in an answer rather than a held queue: a full queue
 * gets 503, and a generation is cancelled when its client hangs up or its deadline passes.
 *
 * <p>Uses: t2i-core's dev.t2i.api (every generation goes through a {@code TextToImage}), dev.t2i
 * and dev.t2i.image (PNG bytes), Jackson, SLF4J and the JDK's HTTP server; of the model's
 * packages only the api, and not the trainer, evaluation or command-line packages.
 */
package dev.t2i.server;
