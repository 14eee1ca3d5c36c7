package dev.t2i.bundle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.t2i.config.Preset;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The first part of a bundle: what it is, which t2i wrote it and when, where its weights came
 * from, the default sampling settings, and the SHA-256 of every other part. Unknown fields are
 * ignored so that additions which keep the format version stay readable.
 *
 * @param format        always {@link Bundle#FORMAT}
 * @param formatVersion layout version; a reader rejects versions newer than its own
 * @param createdBy     the tool and its version, e.g. {@code t2i 0.1.0-SNAPSHOT}
 * @param created       ISO-8601 instant of creation
 * @param source        provenance of the weights
 * @param sampling      default steps, guidance scale and sampler
 * @param parts         checksum and size of every other part, by name
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BundleManifest(
        @JsonProperty("format") String format,
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("created_by") String createdBy,
        @JsonProperty("created") String created,
        @JsonProperty("source") Source source,
        @JsonProperty("sampling") Preset.SampleDefaults sampling,
        @JsonProperty("parts") Map<String, Part> parts) {

    /**
     * Where the bundled weights came from.
     *
     * @param model the run folder or checkpoint the DiT was read from
     * @param step  the training step of that checkpoint, or null for a bare model file
     * @param ema   whether the DiT holds the run's EMA weights
     * @param clip  the text encoder's spec ({@code random:SEED} or the path it was loaded from)
     * @param trainingCaptions the distinct captions the run trained on, as it recorded them
     *              ({@link dev.t2i.conditioning.TrainingCaptions}); null when it did not (older
     *              runs, open-vocabulary data), and then absent from the file, which older readers
     *              ignore either way
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(@JsonProperty("model") String model, @JsonProperty("step") Long step,
            @JsonProperty("ema") boolean ema, @JsonProperty("clip") String clip,
            @JsonProperty("training_captions") @JsonInclude(JsonInclude.Include.NON_NULL)
            List<String> trainingCaptions) {

        /** The provenance of weights whose training captions are not known. */
        public Source(String model, Long step, boolean ema, String clip) {
            this(model, step, ema, clip, null);
        }
    }

    /**
     * One part's checksum.
     *
     * @param sha256 lower-case hex SHA-256 of the part's bytes
     * @param bytes  the part's length
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Part(@JsonProperty("sha256") String sha256, @JsonProperty("bytes") long bytes) {
        /** The checksum entry of some bytes. */
        public static Part of(byte[] data) {
            return new Part(BundleManifest.sha256(data), data.length);
        }

        /** Whether {@code data} is what this entry describes. */
        public boolean matches(byte[] data) {
            return data.length == bytes && BundleManifest.sha256(data).equals(sha256);
        }
    }

    /** Lower-case hex SHA-256 of some bytes. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java SE runtime must provide", e);
        }
    }
}
