package dev.t2i.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
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

    /** Adds raw bytes. */
    public ModelArchive putBytes(String name, byte[] bytes) {
        parts.put(name, bytes);
        return this;
    }

    /** Writes the archive atomically. */
    public void write(Path path) {
        AtomicFiles.write(path, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.setLevel(1); // weights barely compress; speed matters more
            for (var e : parts.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /** Reads an archive; a missing, truncated or foreign file gets a clear error. */
    public static ModelArchive read(Path path) {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(path))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                parts.put(e.getName(), zip.readAllBytes());
            }
        } catch (NoSuchFileException e) {
            throw new TensorFormatException("model file not found: " + path + " (check the path)");
        } catch (ZipException | java.io.EOFException e) {
            throw new TensorFormatException("model file " + path + " is corrupt or truncated (" + e.getMessage()
                    + "); write it again");
        } catch (IOException e) {
            throw new TensorFormatException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
        if (parts.isEmpty()) {
            throw new TensorFormatException("model file " + path + " is not a t2i model (no parts found)");
        }
        return new ModelArchive(parts);
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
        } catch (IOException e) {
            throw new TensorFormatException("part '" + name + "' of the model file is malformed: " + e.getMessage(), e);
        }
    }

    /** A graph part. */
    public SameDiff graph(String name) {
        try {
            return dev.t2i.nn.Graphs.singleCopy(SameDiff.load(new java.io.ByteArrayInputStream(bytes(name)), true));
        } catch (RuntimeException e) {
            throw new TensorFormatException("graph '" + name + "' in the model file cannot be loaded: "
                    + e.getMessage(), e);
        }
    }
}
