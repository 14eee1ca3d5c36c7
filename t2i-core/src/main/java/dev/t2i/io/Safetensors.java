package dev.t2i.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reader and writer for the safetensors format (an 8-byte little-endian header length, a JSON
 * header, then raw little-endian tensor bytes).
 *
 * <p>Reading memory-maps the file and validates the header (offsets inside the file, sizes that
 * match shape and dtype) before any tensor is touched. Floating tensors of F32, F16, BF16 and F64
 * come back as FLOAT arrays; integer and boolean tensors as LONG arrays.
 */
public final class Safetensors implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;
    /** More dimensions than any tensor of a model needs; ND4J itself stops at 32. */
    private static final int MAX_RANK = 8;

    /** Name, dtype, shape and byte range of one stored tensor. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer data;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private Safetensors(Path path, FileChannel channel, MappedByteBuffer data, long dataStart,
            Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.data = data;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates a safetensors file. */
    public static Safetensors open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new TensorFormatException("file not found: " + path + " (check the path)");
        } catch (IOException e) {
            throw new TensorFormatException("cannot open " + path + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw bad(path, "file is only " + size + " bytes");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw bad(path, "header length " + headerLen + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            ch.read(headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw bad(path, "header is not valid JSON");
            }
            if (header == null || !header.isObject()) {
                throw bad(path, "header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Entry> entries = new TreeMap<>();
            Map<String, String> metadata = Collections.emptyMap();
            var fields = header.fields();
            while (fields.hasNext()) {
                var f = fields.next();
                if (f.getKey().equals("__metadata__")) {
                    metadata = metadata(path, f.getValue());
                    continue;
                }
                entries.put(f.getKey(), parseEntry(path, f.getKey(), f.getValue(), dataLen));
            }
            MappedByteBuffer mapped = dataLen > Integer.MAX_VALUE ? null
                    : ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLen);
            if (mapped == null) {
                throw bad(path, "tensor data over 2 GiB is not supported");
            }
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            return new Safetensors(path, ch, mapped, dataStart, Collections.unmodifiableMap(entries), metadata);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new TensorFormatException("cannot read " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** The {@code __metadata__} object: strings by string, as the format defines it. */
    private static Map<String, String> metadata(Path path, JsonNode node) {
        if (!node.isObject()) {
            throw bad(path, "__metadata__ must be an object of strings, got " + node.getNodeType());
        }
        Map<String, String> out = new TreeMap<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            if (!f.getValue().isTextual()) {
                throw bad(path, "__metadata__ value '" + f.getKey() + "' must be a string, got "
                        + f.getValue().getNodeType());
            }
            out.put(f.getKey(), f.getValue().asText());
        }
        return out;
    }

    private static Entry parseEntry(Path path, String name, JsonNode node, long dataLen) {
        JsonNode dtype = node.get("dtype");
        JsonNode shape = node.get("shape");
        JsonNode offsets = node.get("data_offsets");
        if (dtype == null || shape == null || offsets == null || !dtype.isTextual() || !shape.isArray()
                || !offsets.isArray() || offsets.size() != 2) {
            throw bad(path, "tensor '" + name + "' lacks dtype, shape or data_offsets");
        }
        if (shape.size() > MAX_RANK) {
            throw bad(path, "tensor '" + name + "' has " + shape.size() + " dimensions, more than " + MAX_RANK);
        }
        long[] dims = new long[shape.size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = whole(path, name, "shape", shape.get(i));
            // the product may not wrap around: [2^32, 2^32] must not pass for 0 elements
            elements = dims[i] == 0 || elements == 0 ? 0
                    : elements > dataLen / dims[i] ? Long.MAX_VALUE : elements * dims[i];
        }
        long begin = whole(path, name, "data_offsets", offsets.get(0));
        long end = whole(path, name, "data_offsets", offsets.get(1));
        Entry e = new Entry(name, dtype.asText(), dims, begin, end);
        int width = byteWidth(path, name, e.dtype());
        if (end < begin || end > dataLen) {
            throw bad(path, "tensor '" + name + "' has data offsets [" + begin + ", " + end
                    + ") outside the " + dataLen + " data bytes (truncated file?)");
        }
        if (elements > dataLen / width) {
            throw bad(path, "tensor '" + name + "' has shape " + Arrays.toString(dims) + ", more " + e.dtype()
                    + " values than the file's " + dataLen + " data bytes hold");
        }
        if (end - begin != elements * width) {
            throw bad(path, "tensor '" + name + "' holds " + (end - begin) + " bytes but shape "
                    + Arrays.toString(dims) + " of " + e.dtype() + " needs " + elements * width);
        }
        return e;
    }

    /** A whole, non-negative number of the header. */
    private static long whole(Path path, String name, String field, JsonNode v) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw bad(path, "tensor '" + name + "' has " + field + " entry " + v + ", not a whole number of 0 or more");
        }
        return v.asLong();
    }

    private static int byteWidth(Path path, String name, String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> throw bad(path, "tensor '" + name + "' has unsupported dtype " + dtype
                    + " (supported: F64, F32, F16, BF16, integer and BOOL)");
        };
    }

    private static TensorFormatException bad(Path path, String why) {
        return new TensorFormatException("invalid safetensors file " + path + ": " + why);
    }

    /** The file this reader was opened on. */
    public Path path() {
        return path;
    }

    /** Names of all tensors, sorted. */
    public Set<String> keys() {
        return entries.keySet();
    }

    /** Whether a tensor of that name is stored. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The entry for a tensor; throws a clear error when it is absent. */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new TensorFormatException("tensor '" + name + "' is missing from " + path);
        }
        return e;
    }

    /** The free-form string metadata of the file ({@code __metadata__}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** A floating tensor converted to FLOAT, or an integer tensor converted to FLOAT. */
    public INDArray getFloat(String name) {
        Entry e = entry(name);
        float[] out = new float[Math.toIntExact(e.elements())];
        ByteBuffer b = slice(e);
        switch (e.dtype()) {
            case "F32" -> b.asFloatBuffer().get(out);
            case "F64" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case "F16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = HalfFloats.toFloat(b.getShort(i * 2));
                }
            }
            case "BF16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
            default -> {
                long[] ints = readLongs(e, b);
                for (int i = 0; i < out.length; i++) {
                    out[i] = ints[i];
                }
            }
        }
        return Nd4j.create(out, e.shape(), 'c');
    }

    /** An integer or boolean tensor converted to LONG. */
    public INDArray getLong(String name) {
        Entry e = entry(name);
        if (e.dtype().startsWith("F") || e.dtype().equals("BF16")) {
            throw new TensorFormatException("tensor '" + name + "' in " + path + " is " + e.dtype()
                    + ", an integer tensor was expected");
        }
        return Nd4j.createFromArray(readLongs(e, slice(e))).reshape(e.shape());
    }

    /** Reads a tensor in its natural ND4J type: FLOAT for floating dtypes, LONG otherwise. */
    public INDArray get(String name) {
        String dt = entry(name).dtype();
        return dt.startsWith("F") || dt.equals("BF16") ? getFloat(name) : getLong(name);
    }

    private long[] readLongs(Entry e, ByteBuffer b) {
        long[] out = new long[Math.toIntExact(e.elements())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (e.dtype()) {
                case "I64", "U64" -> b.getLong(i * 8);
                case "I32" -> b.getInt(i * 4);
                case "U32" -> b.getInt(i * 4) & 0xffffffffL;
                case "I16" -> b.getShort(i * 2);
                case "U16" -> b.getShort(i * 2) & 0xffff;
                case "I8" -> b.get(i);
                case "U8", "BOOL" -> b.get(i) & 0xff;
                default -> throw new IllegalStateException(e.dtype());
            };
        }
        return out;
    }

    private ByteBuffer slice(Entry e) {
        return data.slice((int) e.begin(), (int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to recover on close of a read-only mapping
        }
    }

    /** Reads every tensor of a file into memory (FLOAT or LONG). */
    public static Map<String, INDArray> readAll(Path path) {
        try (Safetensors st = open(path)) {
            Map<String, INDArray> out = new LinkedHashMap<>();
            for (String k : st.keys()) {
                out.put(k, st.get(k));
            }
            return out;
        }
    }

    /**
     * Writes tensors (FLOAT, DOUBLE, INT, LONG, BOOL arrays) with optional string metadata. The
     * file is written to a temporary sibling and renamed so readers never see a partial file.
     */
    public static void write(Path path, Map<String, INDArray> tensors, Map<String, String> metadata) {
        AtomicFiles.write(path, out -> encode(out, tensors, metadata));
    }

    /** The bytes of a safetensors file holding the given tensors (for embedding in archives). */
    public static byte[] toBytes(Map<String, INDArray> tensors, Map<String, String> metadata) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            encode(out, tensors, metadata);
        } catch (IOException e) {
            throw new TensorFormatException("cannot encode tensors: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Reads every tensor of in-memory safetensors bytes (FLOAT or LONG). */
    public static Map<String, INDArray> readAll(byte[] bytes) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("t2i", ".safetensors");
            try {
                Files.write(tmp, bytes);
                return readAll(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // reading a checkpoint goes through a temporary file: a full temporary folder is named as such
            if (DiskFullException.find(e) != null) {
                throw DiskFullException.onWrite(tmp == null ? Path.of(System.getProperty("java.io.tmpdir")) : tmp, e);
            }
            throw new TensorFormatException("cannot decode tensors: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the safetensors encoding of {@code tensors} to a stream, tensor by tensor (for parts
     * of archives that are streamed rather than held in memory).
     */
    public static void encode(OutputStream out, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new TreeMap<>(metadata));
        }
        Map<String, INDArray> sorted = new TreeMap<>(tensors);
        long offset = 0;
        for (var e : sorted.entrySet()) {
            INDArray a = e.getValue();
            String dt = dtypeName(e.getKey(), a.dataType());
            long bytes = a.length() * a.dataType().width();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", dt);
            info.put("shape", a.shape());
            info.put("data_offsets", new long[] {offset, offset + bytes});
            header.put(e.getKey(), info);
            offset += bytes;
        }
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        int padded = (headerBytes.length + 7) / 8 * 8;
        byte[] headerPadded = Arrays.copyOf(headerBytes, padded);
        Arrays.fill(headerPadded, headerBytes.length, padded, (byte) ' ');
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(headerPadded);
        for (INDArray a : sorted.values()) {
            writeData(out, a);
        }
    }

    private static String dtypeName(String name, DataType t) {
        return switch (t) {
            case FLOAT -> "F32";
            case DOUBLE -> "F64";
            case HALF -> "F16";
            case BFLOAT16 -> "BF16";
            case LONG -> "I64";
            case INT -> "I32";
            case BOOL -> "BOOL";
            case BYTE -> "I8";
            case UBYTE -> "U8";
            default -> throw new TensorFormatException("tensor '" + name + "' has type " + t
                    + ", which safetensors output does not support");
        };
    }

    /** Bytes copied from native memory to the stream at a time. */
    private static final int CHUNK = 1 << 20;

    /**
     * Writes one tensor's data in the file's little-endian layout. Float, double, int and long
     * tensors go straight from their native memory through one small buffer: a checkpoint of the
     * {@code cifar-cpu} model (weights, EMA, two optimiser moments: 150 MB) made 300-600 MB of
     * Java garbage when every tensor was first copied whole into a heap array, which grew the
     * heap of a training run at every checkpoint.
     */
    private static void writeData(OutputStream out, INDArray a) throws IOException {
        DataType t = a.dataType();
        boolean direct = (t == DataType.FLOAT || t == DataType.DOUBLE || t == DataType.INT || t == DataType.LONG)
                && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        if (!direct) {
            writeConverted(out, a);
            return;
        }
        boolean contiguous = !a.isView() && a.ordering() == 'c' && a.offset() == 0
                && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a);
        INDArray c = contiguous ? a : a.dup('c');
        try {
            long bytes = c.length() * t.width();
            ByteBuffer native_ = c.data().asNio();
            byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, bytes))];
            for (long done = 0; done < bytes; ) {
                int n = (int) Math.min(chunk.length, bytes - done);
                native_.get((int) done, chunk, 0, n);
                out.write(chunk, 0, n);
                done += n;
            }
        } finally {
            if (c != a) {
                c.close();
            }
        }
    }

    /** Half-precision and byte-sized tensors, and big-endian machines: converted element by element. */
    private static void writeConverted(OutputStream out, INDArray a) throws IOException {
        INDArray c = a.dup('c');
        ByteBuffer buf = ByteBuffer.allocate((int) (c.length() * c.dataType().width())).order(ByteOrder.LITTLE_ENDIAN);
        switch (c.dataType()) {
            case FLOAT -> buf.asFloatBuffer().put(c.data().asFloat());
            case DOUBLE -> buf.asDoubleBuffer().put(c.data().asDouble());
            case LONG -> buf.asLongBuffer().put(c.data().asLong());
            case INT -> buf.asIntBuffer().put(c.data().asInt());
            case HALF, BFLOAT16 -> {
                float[] f = c.castTo(DataType.FLOAT).data().asFloat();
                for (float v : f) {
                    buf.putShort(c.dataType() == DataType.HALF ? HalfFloats.fromFloat(v)
                            : (short) (Float.floatToIntBits(v) >>> 16));
                }
            }
            default -> {
                long[] v = c.castTo(DataType.LONG).data().asLong();
                for (long x : v) {
                    buf.put((byte) x);
                }
            }
        }
        out.write(buf.array());
    }
}
