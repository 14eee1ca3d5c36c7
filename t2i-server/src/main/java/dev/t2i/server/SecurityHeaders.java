package dev.t2i.server;

import com.sun.net.httpserver.Headers;

/**
 * Headers on every response, the page's and the API's: a Content-Security-Policy that lets a
 * browser run only this server's own scripts (no inline script, no other origin, no framing),
 * {@code X-Content-Type-Options: nosniff} so that a PNG or JSON answer is never read as HTML or
 * script, and no referrer. No {@code Access-Control-Allow-Origin} is ever sent: other sites'
 * pages cannot read this server's answers (and cannot send it JSON, which needs a preflight).
 */
final class SecurityHeaders {
    /** Scripts, styles and fetches from this server only; images also from blob: and data: URLs the page makes. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";

    private SecurityHeaders() {
    }

    static void apply(Headers h) {
        h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
    }
}
