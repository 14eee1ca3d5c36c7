package dev.t2i.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.t2i.T2iException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The project's own model file: a zip holding named parts, each a SameDiff graph in its
 * FlatBuffers serialization or a JSON document. Written atomically.
 */
public final class ModelArchive {
    /** Shared JSON mapper for archive documents. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, byte[]> parts;
    /**
     * Parts written straight to the file when the archive is written, by name; their place in
     * {@link #parts} holds null until then. Large tensor parts go this way so that a checkpoint
     * never holds a heap copy of its tensors.
     */
    private final Map<String, AtomicFiles.Body> streamed = new LinkedHashMap<>();

    private ModelArchive(Map<String, byte[]> parts) {
        this.parts = parts;
    }

    /** An empty archive to fill and write. */
    public static ModelArchive create() {
        return new ModelArchive(new LinkedHashMap<>());
    }

    /** Adds a SameDiff graph with its weights (and updater state when {@code withUpdater}). */
    public ModelArchive putGraph(String name, SameDiff sd, boolean withUpdater) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            sd.save(out, withUpdater);
            parts.put(name, out.toByteArray());
        } catch (RuntimeException e) {
            throw new TensorFormatException("cannot serialise graph '" + name + "': " + e.getMessage(), e);
        }
        return this;
    }

    /** Adds a JSON document. */
    public ModelArchive putJson(String name, Object value) {
        try {
            parts.put(name, JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new TensorFormatException("cannot encode '" + name + "' as JSON", e);
        }
        return this;
    }

    /**
     * Adds tensors in the safetensors encoding, written straight from their native memory when the
     * archive is written (read back with {@link Safetensors#readAll(byte[])} on {@link #bytes}).
     * The tensors must not change until then.
     */
    public ModelArchive putTensors(String name, Map<String, org.nd4j.linalg.api.ndarray.INDArray> tensors) {
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> copy = new LinkedHashMap<>(tensors);
        parts.put(name, null);
        streamed.put(name, out -> Safetensors.encode(out, copy, null));
        return this;
    }

    /** Adds raw bytes. */
    public ModelArchive putBytes(String name, byte[] bytes) {
        parts.put(name, bytes);
        return this;
    }

    /**
     * Writes the archive atomically. Parts are stored uncompressed: weights barely compress (7% for
     * CLIP), and inflating them made loading the converted CLIP file slower than reading its
     * safetensors folder.
     */
    public void write(Path path) {
        AtomicFiles.write(path, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (var e : parts.entrySet()) {
                AtomicFiles.Body body = streamed.get(e.getKey());
                byte[] bytes = e.getValue();
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                if (body != null) {
                    // a stored entry names its size and CRC before its data: one pass to count, one to write
                    CountingSink sink = new CountingSink();
                    java.util.zip.CheckedOutputStream counted = new java.util.zip.CheckedOutputStream(sink, new CRC32());
                    body.write(counted);
                    long size = sink.count;
                    entry.setSize(size);
                    entry.setCompressedSize(size);
                    entry.setCrc(counted.getChecksum().getValue());
                    zip.putNextEntry(entry);
                    body.write(zip);
                } else {
                    entry.setSize(bytes.length);
                    entry.setCompressedSize(bytes.length);
                    entry.setCrc(crc32(bytes));
                    zip.putNextEntry(entry);
                    zip.write(bytes);
                }
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /**
     * Reads an archive (stored or deflated parts); a missing, truncated, corrupt or foreign file
     * gets a clear error. Each part is read into an array of its exact size and checked against
     * its CRC-32, which {@link ZipFile} itself does not do.
     */
    public static ModelArchive read(Path path) {
        if (!Files.exists(path)) {
            throw new TensorFormatException("model file not found: " + path + " (check the path)");
        }
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            long fileSize = Files.size(path);
            checkTotalSize(zip, fileSize, path);
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                parts.put(e.getName(), readPart(zip, e, fileSize, path));
            }
        } catch (ZipException | java.io.EOFException e) {
            throw corrupt(path, e.getMessage());
        } catch (IOException e) {
            throw new TensorFormatException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
        if (parts.isEmpty()) {
            throw new TensorFormatException("model file " + path + " is not a t2i model (no parts found)");
        }
        return new ModelArchive(parts);
    }

    /**
     * Before any part is inflated: the parts' declared sizes together may be at most 50 times the
     * file (weights barely compress; t2i writes them stored), so a small file whose parts inflate
     * to gigabytes is refused before it fills memory.
     */
    private static void checkTotalSize(ZipFile zip, long fileSize, Path path) {
        long total = 0;
        var entries = zip.entries();
        while (entries.hasMoreElements()) {
            long size = entries.nextElement().getSize();
            total += Math.max(0, size);
        }
        long limit = Math.max(64L << 20, 50 * fileSize);
        if (total > limit) {
            throw corrupt(path, "its parts declare " + total + " bytes, more than " + limit + " for a file of "
                    + fileSize);
        }
    }

    private static byte[] readPart(ZipFile zip, ZipEntry e, long fileSize, Path path) throws IOException {
        long size = e.getSize();
        long stored = e.getCompressedSize();
        // a mangled directory must not make us allocate gigabytes: deflate expands at most ~1032:1
        long limit = e.getMethod() == ZipEntry.STORED ? Math.min(stored, fileSize) : stored * 1100;
        if (size < 0 || stored < 0 || size > limit || size > Integer.MAX_VALUE - 8) {
            throw corrupt(path, "part '" + e.getName() + "' has an impossible size");
        }
        byte[] bytes = new byte[(int) size];
        try (InputStream in = zip.getInputStream(e)) {
            if (in.readNBytes(bytes, 0, bytes.length) != bytes.length || in.read() != -1) {
                throw corrupt(path, "part '" + e.getName() + "' is shorter or longer than recorded");
            }
        }
        if (e.getCrc() != -1 && crc32(bytes) != e.getCrc()) {
            throw corrupt(path, "part '" + e.getName() + "' fails its CRC check");
        }
        return bytes;
    }

    /** Counts what is written to it and keeps nothing. */
    private static final class CountingSink extends java.io.OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static long crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static TensorFormatException corrupt(Path path, String what) {
        return new TensorFormatException("model file " + path + " is corrupt or truncated (" + what
                + "); write it again");
    }

    /** The names of the parts, in the order they were added or stored. */
    public java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(parts.keySet());
    }

    public boolean has(String name) {
        return parts.containsKey(name);
    }

    /** The raw bytes of a part. */
    public byte[] bytes(String name) {
        byte[] b = parts.get(name);
        AtomicFiles.Body body = streamed.get(name);
        if (b == null && body != null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                body.write(out);
            } catch (IOException e) {
                throw new TensorFormatException("cannot encode part '" + name + "': " + e.getMessage(), e);
            }
            return out.toByteArray();
        }
        if (b == null) {
            throw new TensorFormatException("model file lacks part '" + name + "' (not a file of this kind?)");
        }
        return b;
    }

    /** A JSON part. */
    public JsonNode json(String name) {
        try {
            return JSON.readTree(bytes(name));
        } catch (IOException e) {
            throw new TensorFormatException("part '" + name + "' of the model file is not valid JSON", e);
        }
    }

    /** A JSON part bound to a type. */
    public <T> T json(String name, Class<T> type) {
        try {
            return JSON.treeToValue(json(name), type);
        } catch (IOException | IllegalArgumentException e) {
            T2iException invalid = T2iException.within(e);
            if (invalid != null) {
                throw new TensorFormatException("part '" + name + "' of the model file: " + invalid.getMessage(), e);
            }
            // Jackson's message goes on with a second line locating the source: keep the first
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new TensorFormatException("part '" + name + "' of the model file is malformed: "
                    + (why == null ? e.getClass().getSimpleName() : why.lines().findFirst().orElse("")), e);
        }
    }

    /** A graph part. */
    public SameDiff graph(String name) {
        byte[] bytes = bytes(name);
        try {
            GraphArrays.check(ByteBuffer.wrap(bytes));
            // straight from the array: SameDiff.load(InputStream) copies the whole graph once more first
            return dev.t2i.runtime.Graphs.singleCopy(SameDiff.fromFlatBuffers(ByteBuffer.wrap(bytes), true));
        } catch (IOException | RuntimeException e) {
            // SameDiff's own messages are often null or a native op's name: say what it means
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new TensorFormatException("graph '" + name + "' in the model file cannot be loaded: its data is"
                    + " damaged or was changed by hand (" + why + "); write the file again", e);
        }
    }
}
