package dev.t2i.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Reading bounded bodies and writing JSON or PNG responses; every response closes its exchange. */
final class Exchanges {
    static final ObjectMapper JSON = new ObjectMapper();

    private Exchanges() {
    }

    /**
     * The request body, at most {@code limit} bytes.
     *
     * @throws HttpError 413 when it is longer
     */
    static byte[] body(HttpExchange ex, int limit) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) {
                    throw tooLarge(limit);
                }
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad Content-Length header '" + declared + "'");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            // a chunked body has no declared length, so read one byte past the limit to notice
            byte[] b = in.readNBytes(limit + 1);
            if (b.length > limit) {
                throw tooLarge(limit);
            }
            return b;
        }
    }

    private static HttpError tooLarge(int limit) {
        return new HttpError(413, "the body is larger than " + limit + " bytes (send a shorter prompt)");
    }

    /** A JSON object {"error": message} with the given status. */
    static void error(HttpExchange ex, int status, String message) {
        ObjectNode body = JSON.createObjectNode().put("error", message).put("status", status);
        json(ex, status, body);
    }

    /** A JSON response. */
    static void json(HttpExchange ex, int status, Object body) {
        try {
            send(ex, status, "application/json", JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            ex.close();
        }
    }

    /**
     * Bytes with a content type; the client may have gone away, which only closes the exchange.
     * The body stream is closed only after a whole write: closing it after a failed one marks it
     * closed, and the exchange's own close then no longer closes the connection, which stayed
     * open (one descriptor per client that left mid-request) until the JDK's response timer.
     */
    static void send(HttpExchange ex, int status, String contentType, byte[] bytes) {
        try {
            OutputStream out = ex.getResponseBody();
            ex.getResponseHeaders().set("Content-Type", contentType);
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            out.write(bytes);
            out.close();
        } catch (IOException e) {
            // the client closed the connection; nothing left to tell it, and the close below
            // finds the response unfinished and closes the connection
        } finally {
            ex.close();
        }
    }
}
