package dev.t2i.runtime;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.ShapeInfoProvider;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ND4J's shape-info provider with a cache in front of the call every new array makes.
 *
 * <p>Why: in 1.0.0-M2.1 the CPU backend's provider caches only an overload that arrays no longer
 * call; each {@code INDArray} constructor builds its shape descriptor afresh: a native buffer,
 * its deallocator registration (with a string id) and a copy back to a Java array. The graphs here
 * make hundreds of arrays per training step, mostly of a few dozen shapes, and that building was
 * about a tenth of the demo model's step (JFR samples). The descriptors are immutable and marked
 * constant, exactly as ND4J's own cached ones are, so arrays of one shape can share one.
 *
 * <p>At most {@value #MAX_ENTRIES} descriptors are kept (a few MB); past that, new shapes are
 * built as before. {@code -Dt2i.shapeInfoCache=false} leaves ND4J's provider in place.
 */
public final class ShapeInfoCache implements ShapeInfoProvider {
    private static final Logger LOG = LoggerFactory.getLogger(ShapeInfoCache.class);
    static final int MAX_ENTRIES = 100_000;
    private static volatile boolean installed;

    private final ShapeInfoProvider inner;
    private final Map<Key, Pair<DataBuffer, long[]>> cache = new ConcurrentHashMap<>();

    private ShapeInfoCache(ShapeInfoProvider inner) {
        this.inner = inner;
    }

    /**
     * Puts the cache in front of ND4J's provider, once per process, on the CPU backend (CUDA's
     * descriptors live on the device and are not touched). Does nothing where the JVM refuses
     * the reflective access; arrays are then made as before.
     */
    public static synchronized void install() {
        if (installed || !Boolean.parseBoolean(System.getProperty("t2i.shapeInfoCache", "true"))) {
            return;
        }
        installed = true;
        ShapeInfoProvider current = Nd4j.getShapeInfoProvider();
        if (current instanceof ShapeInfoCache || !current.getClass().getName().contains(".cpu.")) {
            return;
        }
        try {
            java.lang.reflect.Field f = Nd4j.class.getDeclaredField("shapeInfoProvider");
            f.setAccessible(true);
            f.set(null, new ShapeInfoCache(current));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("shape-info cache not installed: {}", e.toString());
        }
    }

    /** Whether ND4J's arrays now take their shape descriptors from this cache. */
    public static boolean active() {
        return Nd4j.getShapeInfoProvider() instanceof ShapeInfoCache;
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
            char order, DataType dataType, boolean empty) {
        Key key = new Key(shape, stride, elementWiseStride, order, dataType, empty);
        Pair<DataBuffer, long[]> hit = cache.get(key);
        if (hit != null) {
            return hit;
        }
        Pair<DataBuffer, long[]> made = inner.createShapeInformation(shape, stride, elementWiseStride, order, dataType,
                empty);
        if (cache.size() < MAX_ENTRIES) {
            // the key keeps its own copies: callers may reuse their shape arrays
            cache.putIfAbsent(key.copy(), made);
        }
        return made;
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, DataType dataType) {
        return inner.createShapeInformation(shape, dataType);
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, char order, DataType dataType) {
        return inner.createShapeInformation(shape, order, dataType);
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
            char order, long extras) {
        return inner.createShapeInformation(shape, stride, elementWiseStride, order, extras);
    }

    @Override
    public void purgeCache() {
        inner.purgeCache();
    }

    @Override
    public long getCachedBytes() {
        return inner.getCachedBytes();
    }

    /** Descriptors cached so far. */
    int size() {
        return cache.size();
    }

    private static final class Key {
        private final long[] shape;
        private final long[] stride;
        private final long ews;
        private final char order;
        private final DataType type;
        private final boolean empty;
        private final int hash;

        Key(long[] shape, long[] stride, long ews, char order, DataType type, boolean empty) {
            this.shape = shape;
            this.stride = stride;
            this.ews = ews;
            this.order = order;
            this.type = type;
            this.empty = empty;
            int h = Arrays.hashCode(shape);
            h = 31 * h + Arrays.hashCode(stride);
            h = 31 * h + Long.hashCode(ews);
            h = 31 * h + order;
            h = 31 * h + (type == null ? 0 : type.ordinal());
            this.hash = 31 * h + (empty ? 1 : 0);
        }

        Key copy() {
            return new Key(shape == null ? null : shape.clone(), stride == null ? null : stride.clone(), ews, order,
                    type, empty);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && ews == k.ews && order == k.order && type == k.type
                    && empty == k.empty && Arrays.equals(shape, k.shape) && Arrays.equals(stride, k.stride);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
