package dev.t2i.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.t2i.api.GenerationRequest;
import dev.t2i.api.GenerationResult;
import dev.t2i.api.TextToImage;
import java.io.IOException;

/**
 * Generation as a resource, for clients that want progress or to cancel:
 * <ul>
 * <li>{@code POST /v1/jobs} with the body of {@code /v1/generate}: 202 and the job;</li>
 * <li>{@code GET /v1/jobs/{id}}: status ({@code queued}, {@code running}, {@code succeeded},
 *     {@code failed}, {@code cancelled}), step and total steps, seeds, and when it succeeded the
 *     image URLs;</li>
 * <li>{@code GET /v1/jobs/{id}/images/{i}}: image i as PNG with its parameters inside;</li>
 * <li>{@code GET /v1/jobs/{id}/preview}: the current estimate of the first image as PNG;</li>
 * <li>{@code DELETE /v1/jobs/{id}}: cancels it (the model stops within one step and takes the
 *     next request) and forgets it.</li>
 * </ul>
 */
final class JobsHandler implements HttpHandler {
    static final String PREFIX = "/v1/jobs";

    private final TextToImage model;
    private final ServerOptions options;
    private final InFlight inFlight;
    private final JobStore jobs = new JobStore();

    JobsHandler(TextToImage model, ServerOptions options, InFlight inFlight) {
        this.model = model;
        this.options = options;
        this.inFlight = inFlight;
    }

    @Override
    public void handle(HttpExchange ex) {
        try {
            String path = ex.getRequestURI().getPath();
            String rest = path.length() <= PREFIX.length() ? "" : path.substring(PREFIX.length());
            String[] parts = rest.replaceAll("^/+|/+$", "").split("/");
            String method = ex.getRequestMethod();
            if (rest.replace("/", "").isEmpty()) {
                requireMethod(ex, method, "POST", "POST a JSON body to /v1/jobs to create a job");
                create(ex);
            } else if (parts.length == 1) {
                if (method.equals("DELETE")) {
                    Job job = jobs.remove(parts[0]);
                    job.future().cancel(true);
                    Exchanges.json(ex, 200, describe(job));
                } else {
                    requireMethod(ex, method, "GET, DELETE", "GET a job's status or DELETE it");
                    Exchanges.json(ex, 200, describe(jobs.get(parts[0])));
                }
            } else if (parts.length == 2 && parts[1].equals("preview")) {
                requireMethod(ex, method, "GET", "GET a job's preview");
                byte[] png = jobs.get(parts[0]).preview();
                if (png == null) {
                    throw new HttpError(404, "job " + parts[0] + " has no preview yet (it has not taken a step)");
                }
                Exchanges.send(ex, 200, "image/png", png);
            } else if (parts.length == 3 && parts[1].equals("images")) {
                requireMethod(ex, method, "GET", "GET a job's image");
                image(ex, jobs.get(parts[0]), parts[2]);
            } else {
                throw new HttpError(404, "no such endpoint " + path + " (use /v1/jobs, /v1/jobs/ID,"
                        + " /v1/jobs/ID/images/I or /v1/jobs/ID/preview)");
            }
        } catch (HttpError e) {
            if (e.status() == 503) {
                ex.getResponseHeaders().set("Retry-After", "1");
            }
            Exchanges.error(ex, e.status(), e.getMessage());
        } catch (IOException e) {
            Exchanges.error(ex, 400, "cannot read the request: " + e.getMessage());
        } catch (RuntimeException e) {
            Exchanges.error(ex, 500, ServerErrors.logged(ex, "cannot handle the request", e));
        }
    }

    private static void requireMethod(HttpExchange ex, String method, String allowed, String hint) {
        if (!allowed.contains(method)) {
            ex.getResponseHeaders().set("Allow", allowed);
            throw new HttpError(405, hint + ", not " + method);
        }
    }

    private void create(HttpExchange ex) throws IOException {
        GenerationRequest request = GenerateJson.parse(Exchanges.body(ex, options.maxBodyBytes()), options);
        Job job = jobs.create(request.imageCount());
        try {
            job.start(inFlight.submit(model, request, job, null).future());
        } catch (RuntimeException e) {
            jobs.drop(job);
            throw e;
        }
        ex.getResponseHeaders().set("Location", PREFIX + "/" + job.id());
        Exchanges.json(ex, 202, describe(job));
    }

    private static void image(HttpExchange ex, Job job, String index) {
        GenerationResult r = job.result();
        if (r == null) {
            throw new HttpError(409, "job " + job.id() + " is " + job.status() + ", not succeeded: no images"
                    + (job.error() != null ? " (" + job.error() + ")" : ""));
        }
        int i;
        try {
            i = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new HttpError(404, "image index must be a number, got '" + index + "'");
        }
        if (i < 0 || i >= r.size()) {
            throw new HttpError(404, "job " + job.id() + " has images 0 to " + (r.size() - 1) + ", not " + i);
        }
        ex.getResponseHeaders().set("X-T2i-Seed", Long.toString(r.seeds().get(i)));
        Exchanges.send(ex, 200, "image/png", r.png(i));
    }

    private static ObjectNode describe(Job job) {
        ObjectNode body = Exchanges.JSON.createObjectNode()
                .put("id", job.id())
                .put("status", job.status())
                .put("step", job.step())
                .put("total_steps", job.totalSteps())
                .put("images", job.images())
                .put("created", job.createdMillis() / 1000)
                .put("url", PREFIX + "/" + job.id());
        GenerationResult r = job.result();
        if (r != null) {
            ArrayNode urls = body.putArray("image_urls");
            for (int i = 0; i < r.size(); i++) {
                urls.add(PREFIX + "/" + job.id() + "/images/" + i);
            }
            ArrayNode seeds = body.putArray("seeds");
            r.seeds().forEach(seeds::add);
            body.put("steps", r.steps()).put("cfg", r.cfgScale())
                    .putPOJO("cfg_interval", r.cfgInterval().times())
                    .put("sampler", r.sampler().id())
                    .put("generation_ms", r.generationTime().toMillis())
                    .put("queue_ms", r.queueTime().toMillis());
        }
        if (job.error() != null) {
            body.put("error", job.error());
        }
        return body;
    }
}
