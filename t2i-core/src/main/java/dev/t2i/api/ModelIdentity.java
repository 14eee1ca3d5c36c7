package dev.t2i.api;

import dev.t2i.dit.DitNetwork;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model's name and hash as recorded in image metadata. The hash is taken over the DiT's
 * weights (names, shapes and float32 values in name order), not over a file, so a run folder
 * and the bundle made from it (both sampling EMA weights) carry the same hash.
 *
 * @param name what the model is called: the bundle or run folder's file name
 * @param hash the first 10 hex digits of the SHA-256 of its weights
 */
public record ModelIdentity(String name, String hash) {
    /** Identifies a DiT by name and weights. */
    public static ModelIdentity of(String name, DitNetwork model) {
        return new ModelIdentity(name, weightsHash(model.weights()));
    }

    /** The short weights hash: the first 10 hex digits of SHA-256 over names, shapes and values. */
    public static String weightsHash(Map<String, INDArray> weights) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        // weights() is name-ordered, so the hash does not depend on how the map was built
        for (Map.Entry<String, INDArray> e : weights.entrySet()) {
            sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            INDArray a = e.getValue();
            ByteBuffer shape = ByteBuffer.allocate(8 * a.rank()).order(ByteOrder.LITTLE_ENDIAN);
            for (long d : a.shape()) {
                shape.putLong(d);
            }
            sha.update(shape.array());
            float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
            ByteBuffer values = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            values.asFloatBuffer().put(v);
            sha.update(values.array());
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 10);
    }

    /** The model name from a path: the file name without {@code .t2i}. */
    public static String nameOf(java.nio.file.Path path) {
        String n = path.toAbsolutePath().normalize().getFileName().toString();
        return n.endsWith(".t2i") ? n.substring(0, n.length() - 4) : n;
    }
}
