package dev.t2i.server;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The jobs a server knows, bounded: finished jobs are forgotten {@value #KEEP_FINISHED_MINUTES}
 * minutes after they finish (or at once when {@code DELETE}d), and at most {@value #MAX_JOBS}
 * are kept, so that a client that never fetches its results cannot fill the memory.
 */
final class JobStore {
    /** Jobs kept at once, running and finished. */
    static final int MAX_JOBS = 256;
    /** Minutes a finished job's images stay fetchable. */
    static final int KEEP_FINISHED_MINUTES = 15;

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    /**
     * A new job with an unguessable id.
     *
     * @throws HttpError 503 when {@value #MAX_JOBS} unfinished jobs are kept
     */
    synchronized Job create(int images) {
        expire();
        if (jobs.size() >= MAX_JOBS) {
            // the oldest finished job makes room; unfinished ones are never dropped
            Iterator<Job> it = jobs.values().iterator();
            while (it.hasNext()) {
                if (it.next().finished()) {
                    it.remove();
                    break;
                }
            }
            if (jobs.size() >= MAX_JOBS) {
                throw new HttpError(503, "the server holds " + MAX_JOBS + " unfinished jobs; try again later");
            }
        }
        byte[] b = new byte[12];
        random.nextBytes(b);
        Job job = new Job(HexFormat.of().formatHex(b), images);
        jobs.put(job.id(), job);
        return job;
    }

    /** Forgets a job that could not be queued. */
    synchronized void drop(Job job) {
        jobs.remove(job.id());
    }

    /**
     * The job with this id.
     *
     * @throws HttpError 404 when there is none (never made, deleted or expired)
     */
    synchronized Job get(String id) {
        expire();
        Job job = jobs.get(id);
        if (job == null) {
            throw new HttpError(404, "no job " + id + " (finished jobs are kept " + KEEP_FINISHED_MINUTES
                    + " minutes; deleted ones are gone)");
        }
        return job;
    }

    /** Removes and returns a job; 404 as {@link #get}. */
    synchronized Job remove(String id) {
        Job job = get(id);
        jobs.remove(id);
        return job;
    }

    private void expire() {
        long cutoff = System.currentTimeMillis() - KEEP_FINISHED_MINUTES * 60_000L;
        jobs.values().removeIf(j -> j.finished() && j.finishedMillis() < cutoff);
    }
}
