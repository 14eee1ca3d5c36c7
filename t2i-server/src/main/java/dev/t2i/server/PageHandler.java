package dev.t2i.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code GET /}: the page that drives the API from a browser, static HTML, CSS and JavaScript
 * read once from the jar's resources ({@code dev/t2i/server/page/}); it needs no build tool and
 * no network beyond this server. Every other path goes to {@code fallback} (the 404).
 */
final class PageHandler implements HttpHandler {
    private static final String FOLDER = "page/";

    private record Asset(String contentType, byte[] bytes) {
    }

    private final Map<String, Asset> assets;
    private final HttpHandler fallback;

    PageHandler(HttpHandler fallback) {
        this.fallback = fallback;
        this.assets = Map.of(
                "/", asset("index.html", "text/html; charset=utf-8"),
                "/index.html", asset("index.html", "text/html; charset=utf-8"),
                "/page.js", asset("page.js", "text/javascript; charset=utf-8"),
                "/page.css", asset("page.css", "text/css; charset=utf-8"),
                "/favicon.svg", asset("favicon.svg", "image/svg+xml"));
    }

    private static Asset asset(String name, String contentType) {
        try (InputStream in = PageHandler.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("the page's " + name + " is missing from the jar (dev/t2i/server/"
                        + FOLDER + name + ")");
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the page's " + name + " from the jar", e);
        }
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        Asset a = assets.get(ex.getRequestURI().getPath());
        if (a == null) {
            fallback.handle(ex);
            return;
        }
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            Exchanges.error(ex, 405, "use GET for " + ex.getRequestURI().getPath() + ", not " + method);
            return;
        }
        // the page is small and changes with the server: revalidate rather than cache stale copies
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        if (method.equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Type", a.contentType());
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        Exchanges.send(ex, 200, a.contentType(), a.bytes());
    }
}
