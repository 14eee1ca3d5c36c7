/**
 * An HTTP endpoint over the {@link dev.t2i.api} package, on the JDK's
 * {@code com.sun.net.httpserver}: {@code POST /v1/generate} (JSON in, PNG or JSON out), the job
 * resource {@code /v1/jobs} (progress, previews, {@code DELETE} to cancel), OpenAI's
 * {@code POST /v1/images/generations} and {@code GET /v1/models}, and {@code GET /health}.
 * Started by {@code t2i serve}.
 */
package dev.t2i.server;
