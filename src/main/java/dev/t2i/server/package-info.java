/**
 * An HTTP endpoint over the {@link dev.t2i.api} package, on the JDK's
 * {@code com.sun.net.httpserver}: {@code POST /v1/generate} (JSON in, PNG or JSON out) and
 * {@code GET /health}. Started by {@code t2i serve}.
 */
package dev.t2i.server;
