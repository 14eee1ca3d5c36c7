package dev.t2i.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Which waiting requests the worker batches together, without a model. */
class RequestQueueTest {
    private static PendingRequest pending(String prompt, int n, double cfg, String negative) {
        GenerationRequest r = GenerationRequest.builder(prompt).imagesPerPrompt(n).build();
        return new PendingRequest(r, new SamplingOptions(4, cfg, 0, Sampler.EULER, n, negative), 0,
                new CompletableFuture<>());
    }

    private static List<String> prompts(List<PendingRequest> batch) {
        return batch.stream().map(p -> p.request().prompts().get(0)).toList();
    }

    @Test
    void theOldestRequestLeadsAndOnlyCompatibleOnesJoinUpToTheImageLimit() throws InterruptedException {
        RequestQueue q = new RequestQueue(10, 4);
        q.add(pending("a", 1, 7.5, null));
        q.add(pending("b", 1, 2.0, null));
        q.add(pending("c", 2, 7.5, null));
        q.add(pending("d", 1, 7.5, "blurry"));
        q.add(pending("e", 2, 7.5, null));
        q.add(pending("f", 1, 7.5, null));
        assertEquals(List.of("a", "c", "f"), prompts(q.nextBatch()), "e would make 5 images");
        assertEquals(List.of("b"), prompts(q.nextBatch()), "another cfg waits its turn");
        assertEquals(List.of("d"), prompts(q.nextBatch()), "another negative prompt runs apart");
        assertEquals(List.of("e"), prompts(q.nextBatch()));
        assertEquals(0, q.size());
    }

    @Test
    void aRequestLargerThanTheLimitRunsAlone() throws InterruptedException {
        RequestQueue q = new RequestQueue(10, 4);
        q.add(pending("big", 8, 7.5, null));
        q.add(pending("small", 1, 7.5, null));
        assertEquals(List.of("big"), prompts(q.nextBatch()));
        assertEquals(List.of("small"), prompts(q.nextBatch()));
    }

    @Test
    void aFullQueueRejectsCancelledRequestsAreDroppedAndCloseHandsBackTheRest() throws InterruptedException {
        RequestQueue q = new RequestQueue(2, 4);
        PendingRequest cancelled = pending("cancelled", 1, 7.5, null);
        q.add(cancelled);
        q.add(pending("kept", 1, 7.5, null));
        assertThrows(RejectedExecutionException.class, () -> q.add(pending("third", 1, 7.5, null)));
        cancelled.future().cancel(false);
        assertEquals(List.of("kept"), prompts(q.nextBatch()));
        q.add(pending("left", 1, 7.5, null));
        assertEquals(List.of("left"), prompts(q.close()));
        assertTrue(q.nextBatch().isEmpty(), "a closed queue ends the worker");
        assertThrows(IllegalStateException.class, () -> q.add(pending("late", 1, 7.5, null)));
    }
}
