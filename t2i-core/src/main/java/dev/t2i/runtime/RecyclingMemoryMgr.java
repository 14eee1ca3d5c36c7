package dev.t2i.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.autodiff.samediff.internal.memory.AbstractMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SameDiff session memory manager that gives released buffers back at once: a buffer the
 * session no longer needs goes to a pool and backs the next array of that size or a little
 * smaller,
 * and what the pool cannot hold is freed immediately rather than when the garbage collector gets
 * to it.
 *
 * <p>Why not SameDiff's own managers: with the default {@code ArrayCacheMemoryMgr} of 1.0.0-M2.1
 * the same forward pass twice gave different outputs, although the session releases arrays only
 * when they are dead (a test manager that overwrote every released array with NaN left all
 * outputs and gradients unchanged); that cache hands the released {@link INDArray} objects
 * themselves out again, under new ids. {@code NoOpMemoryMgr} is correct but leaves every
 * intermediate array to the garbage collector, several GB per training step. Here only the data
 * buffer is reused, always inside a new array object, and only arrays this manager allocated and
 * has not yet seen released are taken back, so variables, placeholders, views and double
 * releases are left alone. {@code GraphsTest} checks repeated passes against fresh allocation.
 *
 * <p>Arrays never released during a call are taken back by {@link #endCall} unless they are among
 * the results (requested outputs, gradients), which belong to the caller; {@link #recycle} takes
 * those back once the caller is done.
 * Not thread-safe: SameDiff keeps one session, and so one manager, per thread.
 */
public final class RecyclingMemoryMgr extends AbstractMemoryMgr implements SessionMemMgr {
    /** Arrays smaller than this are not worth pooling; they are simply freed. */
    private static final long MIN_POOLED_ELEMENTS = 1024;
    /**
     * How much larger than asked a pooled buffer may be and still back an array (1/SLACK more):
     * a training step's shapes differ by a few rows (77 text tokens against 64 image tokens,
     * heads against width), and exact sizes alone left a sixth of a worker's memory pooled in
     * buffers of the wrong size at the step's peak. {@code -Dt2i.poolSlack=0} asks for exact sizes.
     */
    private static final int SLACK = Integer.getInteger("t2i.poolSlack", 4);
    /**
     * Calls a pooled buffer may sit unused before it is freed. A training step or a sampling step
     * asks for the same sizes call after call and reuses every buffer; a server's next request of
     * another batch size does not, and without this the pool kept the buffers of every size it
     * had seen (up to its cap per thread) — the server's memory grew with the mix of requests.
     * Two calls rather than one, so that two shapes taking turns (a request's text preparation
     * and its steps) do not free each other's buffers every time.
     */
    static final int IDLE_CALLS = 2;

    private final long maxPooledBytes;
    /** Free buffers by type, then by length. */
    private final Map<DataType, java.util.TreeMap<Long, ArrayDeque<DataBuffer>>> pool = new HashMap<>();
    /** Buffers handed out under a shorter array (a view to ND4J, but this manager's to take back). */
    private final Set<DataBuffer> longerBuffers = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Arrays handed out during the current call and not yet released, by id. */
    private final Map<Long, INDArray> handedOut = new HashMap<>();
    /** Each pooled buffer, with the number of the call in which it was last put back. */
    private final Map<DataBuffer, Long> pooled = new IdentityHashMap<>();
    /** Calls ended so far ({@link #endCall}). */
    private long calls;
    private long pooledBytes;
    /** Bytes of the arrays in {@link #handedOut}, and the most they have been. */
    private long liveBytes;
    private long peakLiveBytes;
    /** The most this manager has held at once: live arrays plus pooled buffers. */
    private long peakHeldBytes;

    /** @param maxPooledBytes how much released memory the pool may keep for reuse */
    public RecyclingMemoryMgr(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
    }

    /** A detached array outlives the call (a result): it gets a buffer of its exact size. */
    @Override
    public INDArray allocate(boolean detached, DataType dataType, long... shape) {
        return allocate(dataType, shape, 'c', detached);
    }

    @Override
    public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
        if (descriptor.isEmpty()) {
            INDArray out = Nd4j.create(descriptor, false);
            handedOut.put(out.getId(), out);
            return out;
        }
        // some ops (matrix products) ask for column-major outputs: those reuse buffers too
        return allocate(descriptor.dataType(), descriptor.getShape(), descriptor.getOrder(), detached);
    }

    private INDArray allocate(DataType dataType, long[] shape, char order, boolean exact) {
        long length = 1;
        for (long d : shape) {
            length *= d;
        }
        INDArray out = null;
        if (shape.length > 0 && length >= MIN_POOLED_ELEMENTS) {
            DataBuffer buffer = take(dataType, length, exact);
            if (buffer != null) {
                out = Nd4j.create(buffer, shape, Nd4j.getStrides(shape, order), 0, order);
                if (buffer.length() > length) {
                    longerBuffers.add(buffer);
                }
            }
        }
        if (out == null) {
            out = Nd4j.createUninitialized(dataType, shape, order);
        }
        handedOut.put(out.getId(), out);
        liveBytes += liveSize(out);
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        peakHeldBytes = Math.max(peakHeldBytes, liveBytes + pooledBytes);
        return out;
    }

    /** The shortest free buffer of at least {@code length} and at most 1/SLACK longer, or null. */
    private DataBuffer take(DataType dataType, long length, boolean exact) {
        java.util.TreeMap<Long, ArrayDeque<DataBuffer>> free = pool.get(dataType);
        if (free == null) {
            return null;
        }
        long longest = SLACK > 0 && !exact ? length + length / SLACK : length;
        Map.Entry<Long, ArrayDeque<DataBuffer>> e = free.ceilingEntry(length);
        if (e == null || e.getKey() > longest) {
            return null;
        }
        DataBuffer buffer = e.getValue().pop();
        if (e.getValue().isEmpty()) {
            free.remove(e.getKey());
        }
        pooled.remove(buffer);
        pooledBytes -= bytes(buffer);
        return buffer;
    }

    @Override
    public void release(INDArray array) {
        if (handedOut.remove(array.getId()) != null) {
            liveBytes -= liveSize(array);
            recycle(array);
        }
    }

    /** What an array handed out holds: its buffer, which may be a little longer than the array. */
    private long liveSize(INDArray array) {
        if (array.isEmpty()) {
            return 0;
        }
        return (longerBuffers.contains(array.data()) ? array.data().length() : array.length())
                * array.dataType().width();
    }

    /**
     * Takes back an array the caller no longer uses (e.g. the gradients after the optimiser
     * step); the array must not be touched afterwards.
     */
    public void recycle(INDArray array) {
        // an array on a longer pooled buffer is a view to ND4J (not closeable), but its buffer is ours
        boolean ours = longerBuffers.remove(array.data());
        if (ours ? array.wasClosed() || !array.data().closeable() : array.isView() || array.wasClosed()
                || !array.closeable()) {
            return;
        }
        DataBuffer buffer = array.data();
        if (pooled.containsKey(buffer)) {
            return;
        }
        long n = array.length();
        if (array.rank() > 0 && n >= MIN_POOLED_ELEMENTS && (buffer.length() == n || ours)
                && pooledBytes + bytes(buffer) <= maxPooledBytes) {
            pool.computeIfAbsent(array.dataType(), k -> new java.util.TreeMap<>())
                    .computeIfAbsent(buffer.length(), k -> new ArrayDeque<>()).push(buffer);
            pooled.put(buffer, calls);
            pooledBytes += bytes(buffer);
        } else if (ours) {
            buffer.close();
        } else {
            array.close();
        }
    }

    /**
     * The results with every array that lies on a longer pooled buffer replaced by an exact copy,
     * so that what the caller keeps is an ordinary closeable array; the originals are then taken
     * back by {@link #endCall}. Most results are allocated exact-size (detached) and need no copy;
     * this catches the reshaped ones.
     */
    public Map<String, INDArray> exactResults(Map<String, INDArray> results) {
        if (longerBuffers.isEmpty()) {
            return results;
        }
        List<long[]> longer = longerBuffers.stream().map(b -> new long[] {b.address(), b.address() + bytes(b)}).toList();
        Map<String, INDArray> out = null;
        for (Map.Entry<String, INDArray> e : results.entrySet()) {
            INDArray a = e.getValue();
            // by address: a reshaped result wraps the same memory in another buffer object
            if (a != null && !a.isEmpty() && longer.stream().anyMatch(r -> overlaps(r, range(a)))) {
                if (out == null) {
                    out = new java.util.LinkedHashMap<>(results);
                }
                out.put(e.getKey(), a.dup(a.ordering()));
            }
        }
        return out == null ? results : out;
    }

    /**
     * Ends a call: the arrays handed out and never released are the caller's where they share
     * memory with one of {@code results}, and taken back otherwise. The session leaves some
     * arrays unreleased although nothing reads them, e.g. the gradients of a broadcasting add
     * with respect to a constant operand; left to the garbage collector they pile up by the
     * hundreds of MB per training step.
     */
    public void endCall(Collection<INDArray> results) {
        List<long[]> kept = new ArrayList<>();
        for (INDArray r : results) {
            if (r != null && !r.isEmpty()) {
                kept.add(range(r));
            }
        }
        for (INDArray a : handedOut.values()) {
            if (!a.isEmpty() && kept.stream().noneMatch(k -> overlaps(k, range(a)))) {
                recycle(a);
            }
        }
        handedOut.clear();
        liveBytes = 0;
        freeIdle();
        calls++;
    }

    /** Frees the pooled buffers that no call took in the last {@link #IDLE_CALLS} calls. */
    private void freeIdle() {
        long oldest = calls - IDLE_CALLS + 1;
        if (pooled.isEmpty() || calls < IDLE_CALLS - 1) {
            return;
        }
        for (java.util.TreeMap<Long, ArrayDeque<DataBuffer>> byLength : pool.values()) {
            var lengths = byLength.values().iterator();
            while (lengths.hasNext()) {
                ArrayDeque<DataBuffer> free = lengths.next();
                free.removeIf(b -> {
                    if (pooled.get(b) >= oldest) {
                        return false;
                    }
                    pooled.remove(b);
                    pooledBytes -= bytes(b);
                    b.close();
                    return true;
                });
                if (free.isEmpty()) {
                    lengths.remove();
                }
            }
        }
    }

    /** The bytes [start, end) of the buffer an array lives in. */
    private static long[] range(INDArray a) {
        DataBuffer d = a.data();
        long start = d.address();
        return new long[] {start, start + bytes(d)};
    }

    private static boolean overlaps(long[] a, long[] b) {
        return a[0] < b[1] && b[0] < a[1];
    }

    /** Bytes held for reuse. */
    public long pooledBytes() {
        return pooledBytes;
    }

    /** Bytes of the arrays handed out in the current call and not yet released. */
    public long liveBytes() {
        return liveBytes;
    }

    /** The most {@link #liveBytes} has been since this manager was made or {@link #resetPeaks}. */
    public long peakLiveBytes() {
        return peakLiveBytes;
    }

    /**
     * The most this manager has held at once (live arrays and pooled buffers) since it was made
     * or {@link #resetPeaks}: what it adds to the process's memory at its worst.
     */
    public long peakHeldBytes() {
        return peakHeldBytes;
    }

    /** Starts the peaks again from what is held now. */
    public void resetPeaks() {
        peakLiveBytes = liveBytes;
        peakHeldBytes = liveBytes + pooledBytes;
    }

    @Override
    public void close() {
        for (java.util.TreeMap<Long, ArrayDeque<DataBuffer>> byLength : pool.values()) {
            byLength.values().forEach(free -> free.forEach(DataBuffer::close));
        }
        pool.clear();
        longerBuffers.clear();
        pooled.clear();
        pooledBytes = 0;
    }

    private static long bytes(DataBuffer buffer) {
        return buffer.length() * buffer.getElementSize();
    }
}
