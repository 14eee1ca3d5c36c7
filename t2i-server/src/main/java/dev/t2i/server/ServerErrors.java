package dev.t2i.server;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure the server answers with a 500, or records as a failed job, goes through here
 * first: one line in the log with the request and the cause, and the stack trace at debug level.
 * A 500 that only its client saw ("14 of 343 generations answered 500 with nothing in the
 * server's log") cannot be found afterwards.
 */
final class ServerErrors {
    private static final Logger LOG = LoggerFactory.getLogger("t2i.server");

    private ServerErrors() {
    }

    /**
     * Logs a failure of the request on {@code ex} and returns the message to answer it with.
     *
     * @param what what failed, e.g. "generation failed"
     */
    static String logged(HttpExchange ex, String what, Throwable cause) {
        String request = ex == null ? "/v1/jobs" : ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
        String message = what + ": " + cause;
        LOG.error("500 on {}: {}", request, message);
        LOG.debug("stack trace of the 500 on {}", request, cause);
        return message;
    }
}
