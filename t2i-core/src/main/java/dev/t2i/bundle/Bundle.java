package dev.t2i.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.t2i.T2iException;
import dev.t2i.Version;
import dev.t2i.clip.ClipTextEncoder;
import dev.t2i.conditioning.TextConditioner;
import dev.t2i.config.Preset;
import dev.t2i.dit.DitFiles;
import dev.t2i.dit.DitNetwork;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.Safetensors;
import dev.t2i.sampling.ImageGenerator;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A one-file model: a text-conditional DiT (EMA weights when the run kept them), the CLIP text
 * encoder with its tokenizer (or, for a seeded random one, what rebuilds it), their configs and the default sampling settings, in a
 * {@link ModelArchive} whose first part is a {@link BundleManifest}. Reading checks the format
 * version and every part's SHA-256 before any bytes reach SameDiff, so a damaged file is
 * reported, never handed to native code.
 */
public final class Bundle {
    /** Name of the manifest part, always the first entry of the zip. */
    public static final String MANIFEST = "t2i-bundle.json";
    /** The manifest's {@code format} value. */
    public static final String FORMAT = "t2i-bundle";
    /**
     * The newest layout this code reads. Version 1 holds the CLIP's weights; version 2 may hold
     * instead the recipe of a seeded random CLIP ({@link ClipTextEncoder.RandomRecipe}: seed,
     * shape and the SHA-256 of its weights), a few hundred bytes in place of 250 MB; version 3
     * may also hold a guide model's weights ({@link #GUIDE_WEIGHTS}) and a {@code guide_scale}
     * among its defaults. A bundle is written with the lowest version its content allows, so
     * older readers still take it.
     */
    public static final int FORMAT_VERSION = 3;
    /** The version of a bundle that holds a random CLIP's recipe and no guide model. */
    public static final int RECIPE_FORMAT_VERSION = 2;
    /** The part holding the guide model's weights, the same graph as the DiT's (autoguidance). */
    public static final String GUIDE_WEIGHTS = "guide-weights.safetensors";
    /** The version of a bundle that holds the CLIP's weights. */
    public static final int WEIGHTS_FORMAT_VERSION = 1;

    private final Path path;
    private final BundleManifest manifest;
    private final DitNetwork dit;
    private final ClipTextEncoder clip;
    private final DitNetwork guide;

    private Bundle(Path path, BundleManifest manifest, DitNetwork dit, ClipTextEncoder clip, DitNetwork guide) {
        this.path = path;
        this.manifest = manifest;
        this.dit = dit;
        this.clip = clip;
        this.guide = guide;
    }

    /**
     * Writes a bundle without a guide model atomically and returns its manifest.
     *
     * @param sampling default steps, guidance scale and sampler of the bundle
     */
    public static BundleManifest write(Path out, DitNetwork dit, ClipTextEncoder clip, Preset.SampleDefaults sampling,
            BundleManifest.Source source) {
        return write(out, dit, clip, null, sampling, source);
    }

    /**
     * Writes a bundle atomically and returns its manifest.
     *
     * @param guide    the run's guide model for autoguidance (its weights are stored; it shares the
     *                 DiT's graph), or null
     * @param sampling default steps, guidance scales and sampler of the bundle; a guide scale above
     *                 1 needs a guide model
     */
    public static BundleManifest write(Path out, DitNetwork dit, ClipTextEncoder clip, DitNetwork guide,
            Preset.SampleDefaults sampling, BundleManifest.Source source) {
        checkPair(dit, clip, "the text encoder " + source.clip());
        if (guide != null && !guide.config().equals(dit.config())) {
            throw new T2iException("the guide model's shape differs from the DiT's; it must come from the same run");
        }
        if (guide == null && sampling.guideScale() != 1.0) {
            throw new T2iException("the default guide scale " + sampling.guideScale() + " needs a guide model and"
                    + " the run has none (bundle with --guide-scale 1)");
        }
        // a seeded random CLIP is stored as its recipe: its weights are 250 MB of noise that the
        // seed rebuilds bit for bit (checked against their SHA-256 on reading)
        boolean recipe = clip.isRebuildable();
        ModelArchive content = DitFiles.addTo(dit, ModelArchive.create());
        content = recipe ? clip.addRecipeTo(content) : clip.addTo(content);
        if (guide != null) {
            content.putTensors(GUIDE_WEIGHTS, guide.weights());
        }
        Map<String, BundleManifest.Part> parts = new LinkedHashMap<>();
        for (String name : content.names()) {
            parts.put(name, BundleManifest.Part.of(content.bytes(name)));
        }
        int version = guide != null ? FORMAT_VERSION : recipe ? RECIPE_FORMAT_VERSION : WEIGHTS_FORMAT_VERSION;
        BundleManifest manifest = new BundleManifest(FORMAT, version,
                "t2i " + Version.current(),
                Instant.now().toString(), source, sampling, parts);
        // the manifest goes first so that isBundle() and a truncated file are recognised from the head
        ModelArchive archive = ModelArchive.create().putJson(MANIFEST, manifest);
        for (String name : content.names()) {
            archive.putBytes(name, content.bytes(name));
        }
        archive.write(out);
        return manifest;
    }

    /**
     * Reads and verifies a bundle. A missing, foreign, corrupt, truncated or newer-version file
     * gets a {@link T2iException} naming the problem.
     */
    public static Bundle read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new T2iException("bundle not found: " + path + " (make one with 't2i bundle --model RUN --out "
                    + "FILE.t2i')");
        }
        ModelArchive archive;
        try {
            archive = ModelArchive.read(path);
        } catch (T2iException e) {
            throw new T2iException("cannot load bundle " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // java.util.zip can throw unchecked exceptions on mangled headers
            throw corrupt(path, e.toString());
        }
        BundleManifest manifest = verify(path, archive);
        DitNetwork dit;
        try {
            dit = DitFiles.read(archive);
        } catch (T2iException e) {
            throw new T2iException("cannot load bundle " + path + ": " + e.getMessage(), e);
        }
        ClipTextEncoder clip;
        try {
            clip = ClipTextEncoder.fromArchive(archive,
                    manifest.source() != null && manifest.source().clip() != null ? manifest.source().clip()
                            : path.toString());
        } catch (T2iException e) {
            dit.release();
            throw new T2iException("cannot load bundle " + path + ": " + e.getMessage(), e);
        }
        checkPair(dit, clip, "its text encoder");
        DitNetwork guide = null;
        if (archive.has(GUIDE_WEIGHTS)) {
            try {
                guide = DitFiles.read(archive);
                guide.setWeights(Safetensors.readAll(archive.bytes(GUIDE_WEIGHTS)));
            } catch (T2iException e) {
                dit.release();
                clip.release();
                if (guide != null) {
                    guide.release();
                }
                throw new T2iException("cannot load bundle " + path + ": its guide model: " + e.getMessage(), e);
            }
        }
        return new Bundle(path, manifest, dit, clip, guide);
    }

    /** Whether a file looks like a bundle (a zip whose first entry is the manifest); does not verify it. */
    public static boolean isBundle(Path path) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(path); ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry first = zip.getNextEntry();
            return first != null && first.getName().equals(MANIFEST);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static BundleManifest verify(Path path, ModelArchive archive) {
        if (!archive.has(MANIFEST)) {
            throw new T2iException(path + " is not a t2i bundle (it has no " + MANIFEST + "); make one with"
                    + " 't2i bundle --model RUN --out FILE.t2i'");
        }
        JsonNode node;
        try {
            node = ModelArchive.JSON.readTree(archive.bytes(MANIFEST));
        } catch (IOException e) {
            throw corrupt(path, "its manifest is not valid JSON");
        }
        if (!FORMAT.equals(node.path("format").asText())) {
            throw new T2iException(path + " is not a t2i bundle (manifest format '" + node.path("format").asText()
                    + "', expected '" + FORMAT + "')");
        }
        int version = node.path("format_version").asInt(0);
        if (version > FORMAT_VERSION) {
            throw new T2iException("bundle " + path + " has format version " + version + ", written by "
                    + node.path("created_by").asText("a newer t2i") + "; this t2i (" + Version.current()
                    + ") reads up to version " + FORMAT_VERSION + " (upgrade t2i or bundle the model again with"
                    + " this version)");
        }
        if (version < 1) {
            throw corrupt(path, "its manifest has no valid format_version");
        }
        BundleManifest manifest;
        try {
            manifest = ModelArchive.JSON.treeToValue(node, BundleManifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw corrupt(path, "its manifest is malformed (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (manifest.parts() == null || manifest.parts().isEmpty() || manifest.sampling() == null) {
            throw corrupt(path, "its manifest lists no parts or no sampling settings");
        }
        for (var e : manifest.parts().entrySet()) {
            if (!archive.has(e.getKey())) {
                throw corrupt(path, "part '" + e.getKey() + "' listed in the manifest is missing (truncated file?)");
            }
            if (e.getValue() == null || !e.getValue().matches(archive.bytes(e.getKey()))) {
                throw corrupt(path, "part '" + e.getKey() + "' does not match its SHA-256 checksum");
            }
        }
        TreeSet<String> unlisted = new TreeSet<>(archive.names());
        unlisted.remove(MANIFEST);
        unlisted.removeAll(manifest.parts().keySet());
        if (!unlisted.isEmpty()) {
            throw corrupt(path, "it holds parts the manifest does not list: " + unlisted);
        }
        return manifest;
    }

    private static T2iException corrupt(Path path, String what) {
        return new T2iException("bundle " + path + " is corrupt: " + what + "; copy it again or rebuild it with"
                + " 't2i bundle'");
    }

    private static void checkPair(DitNetwork dit, ClipTextEncoder clip, String clipName) {
        if (!dit.config().isText()) {
            throw new T2iException("bundles hold text-conditional models; this DiT is '" + dit.config().variant()
                    + "' (sample it with 't2i sample --model RUN' instead)");
        }
        if (clip.config().width() != dit.config().contextDim()) {
            throw new T2iException(clipName + " is " + clip.config().width() + " wide but the DiT expects"
                    + " context_dim " + dit.config().contextDim() + " (use the CLIP it was trained with)");
        }
    }

    /** The file it was read from. */
    public Path path() {
        return path;
    }

    /** What the file says about itself: versions, provenance, defaults, checksums. */
    public BundleManifest manifest() {
        return manifest;
    }

    /** The DiT, with the weights that were bundled (EMA when the run kept them). */
    public DitNetwork dit() {
        return dit;
    }

    /** The guide model for autoguidance, or null where the bundle holds none. */
    public DitNetwork guide() {
        return guide;
    }

    /** The text encoder with its tokenizer. */
    public ClipTextEncoder clip() {
        return clip;
    }

    /** The bundle's default sampling settings for a given seed, one image per prompt. */
    public SamplingOptions defaultOptions(long seed) {
        return manifest.sampling().options(seed);
    }

    /** A new generator over this bundle's DiT and CLIP; not thread-safe (SameDiff graphs are not). */
    public ImageGenerator generator() {
        return new ImageGenerator(dit, conditioner(), guide);
    }

    /**
     * The text conditioner this bundle's DiT was trained with: CLIP, keeping the first
     * {@code context_len} tokens of every prompt (a model trained on short captions may use fewer
     * than CLIP's 77).
     */
    public TextConditioner conditioner() {
        return new TextConditioner(clip, dit.config().contextLen());
    }

    /** Frees the native memory of both graphs; the bundle must not be used afterwards. */
    public void release() {
        dit.release();
        clip.release();
        if (guide != null) {
            guide.release();
        }
    }
}
