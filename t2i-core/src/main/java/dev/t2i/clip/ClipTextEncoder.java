package dev.t2i.clip;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.t2i.T2iException;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.Safetensors;
import dev.t2i.io.TensorFormatException;
import dev.t2i.io.torch.TorchImport;
import dev.t2i.nn.ParamSpec;
import dev.t2i.runtime.Graphs;
import dev.t2i.runtime.Workers;
import dev.t2i.tokenizer.ClipTokenizer;
import dev.t2i.tokenizer.Tokenization;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLIP's frozen text tower in SameDiff: token ids in, token embeddings and pooled embedding out.
 * Loaded from a Hugging Face CLIP folder, from the project's converted single file, or built with
 * seeded random weights of real shapes for machines without the real weights.
 */
public final class ClipTextEncoder {
    static final String GRAPH = "clip.samediff";
    static final String CONFIG = "clip-config.json";
    static final String PARAMS = "clip-params.json";
    static final String TOKENIZER = "clip-tokenizer.bin";
    /** The part that holds a seeded random tower's {@link RandomRecipe} in place of its weights. */
    public static final String RANDOM_RECIPE = "clip-random.json";
    private static final Logger LOG = LoggerFactory.getLogger(ClipTextEncoder.class);
    /** Fewest prompts per shard worth their own thread. */
    private static final int MIN_SHARD_ROWS = 2;

    private final ClipTextConfig config;
    private final SameDiff sd;
    private final Map<String, ParamSpec> params;
    private final String description;
    private final ClipTokenizer tokenizer;
    /** The seed {@link #random} built the weights from; null for weights that were loaded. */
    private final Long seed;
    /** The tower cut to fewer positions ({@link #encodePrefix}), by position count; guarded by {@code sd}. */
    private final Map<Integer, SameDiff> prefixGraphs = new java.util.HashMap<>();

    ClipTextEncoder(ClipTextConfig config, SameDiff sd, Map<String, ParamSpec> params, String description,
            ClipTokenizer tokenizer) {
        this(config, sd, params, description, tokenizer, null);
    }

    private ClipTextEncoder(ClipTextConfig config, SameDiff sd, Map<String, ParamSpec> params, String description,
            ClipTokenizer tokenizer, Long seed) {
        this.config = config;
        this.sd = sd;
        this.params = params;
        this.description = description;
        this.tokenizer = tokenizer;
        this.seed = seed;
    }

    /**
     * What rebuilds a seeded random tower: its seed and shape (the tokenizer is the built-in
     * byte-level one), and the SHA-256 of the weights they gave, so that a JVM whose floating-point
     * library draws them differently is caught instead of silently giving other images.
     *
     * @param seed          the seed of {@link #random}
     * @param config        the tower's shape
     * @param weightsSha256 {@link #weightsSha256()} of the weights built when the recipe was written
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RandomRecipe(@JsonProperty("seed") long seed, @JsonProperty("config") ClipTextConfig config,
            @JsonProperty("weights_sha256") String weightsSha256) {
    }

    /**
     * Loads a text encoder from a command-line spec: {@code random} (seeded untrained ViT-B/32
     * text tower with the built-in byte-level tokenizer), {@code random:SEED}, a Hugging Face CLIP
     * folder, or a file written by {@code t2i convert-clip}.
     */
    public static ClipTextEncoder load(String spec) {
        if (isRandomSpec(spec)) {
            long seed = spec.equals("random") ? 0 : parseSeed(spec);
            return random(ClipTextConfig.vitB32(), seed);
        }
        Path path = Path.of(spec);
        if (Files.isDirectory(path)) {
            return fromHuggingFace(path);
        }
        if (!Files.exists(path)) {
            throw new T2iException("CLIP not found: " + spec + " (pass a Hugging Face CLIP folder, a file from"
                    + " 't2i convert-clip', or 'random')");
        }
        if (!isZip(path)) {
            // a file of a Hugging Face folder (config.json, model.safetensors) is not a broken
            // converted file: say which folder to pass instead of calling it a corrupt zip
            Path folder = path.toAbsolutePath().getParent();
            if (folder != null && Files.isRegularFile(folder.resolve("config.json"))) {
                throw new T2iException("--clip wants the Hugging Face CLIP folder, not its file " + path.getFileName()
                        + ": pass " + folder);
            }
            throw new T2iException(spec + " is not a CLIP file from 't2i convert-clip' (not a zip archive); pass a"
                    + " Hugging Face CLIP folder, a converted file, or 'random'");
        }
        return fromArchive(ModelArchive.read(path), spec);
    }

    /** Whether the file starts like a zip archive (every converted CLIP and bundle does). */
    private static boolean isZip(Path path) {
        byte[] head = new byte[4];
        try (java.io.InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(head, 0, 4) == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        } catch (IOException e) {
            return true; // let the archive reader report the I/O problem
        }
    }

    private static long parseSeed(String spec) {
        try {
            return Long.parseLong(spec.substring("random:".length()));
        } catch (NumberFormatException e) {
            throw new T2iException("bad CLIP spec '" + spec + "' (use random or random:SEED)");
        }
    }

    /** A text tower of the given shape with seeded random (untrained) weights. */
    public static ClipTextEncoder random(ClipTextConfig cfg, long seed) {
        ClipTextGraph.Built b = ClipTextGraph.build(cfg, seed);
        return new ClipTextEncoder(cfg, b.sd(), b.params(), "random:" + seed, ClipTokenizer.byteLevel(), seed);
    }

    /** Loads the text tower of a Hugging Face CLIPModel or CLIPTextModel folder. */
    public static ClipTextEncoder fromHuggingFace(Path dir) {
        Path configFile = dir.resolve("config.json");
        Path weights = dir.resolve("model.safetensors");
        for (Path p : List.of(configFile, weights)) {
            if (!Files.exists(p)) {
                throw new T2iException("CLIP folder " + dir + " lacks " + p.getFileName()
                        + " (download it with tools/download-clip.sh)");
            }
        }
        JsonNode root;
        try {
            root = ModelArchive.JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new T2iException("cannot read " + configFile + ": " + e.getMessage());
        }
        ClipTextConfig cfg = ClipTextConfig.fromHuggingFace(root, configFile.toString());
        if (!Files.exists(dir.resolve("vocab.json")) || !Files.exists(dir.resolve("merges.txt"))) {
            throw new T2iException("CLIP folder " + dir + " lacks vocab.json/merges.txt (download them with"
                    + " tools/download-clip.sh)");
        }
        ClipTokenizer tokenizer = ClipTokenizer.fromHuggingFace(dir);
        ClipTextGraph.Built b = ClipTextGraph.build(cfg, 0);
        try (Safetensors st = Safetensors.open(weights)) {
            TorchImport.read(st, b.params().values(), "CLIP checkpoint", "is it a CLIP text model?")
                    .forEach((name, value) -> b.sd().getArrForVarName(name).assign(value));
        }
        return new ClipTextEncoder(cfg, b.sd(), b.params(), dir.toString(), tokenizer);
    }

    /** Writes the converted single-file form. */
    public void save(Path path) {
        addTo(ModelArchive.create()).write(path);
    }

    /** Adds this encoder's parts to an archive being assembled. */
    public ModelArchive addTo(ModelArchive a) {
        return a.putJson(CONFIG, config).putJson(PARAMS, params.values()).putBytes(TOKENIZER, tokenizer.toBytes())
                .putGraph(GRAPH, sd, false);
    }

    /**
     * Whether this tower was built by {@link #random} in this process, so that {@link #addRecipeTo}
     * can store it as its seed and shape instead of its weights.
     */
    public boolean isRebuildable() {
        return seed != null;
    }

    /**
     * Adds this seeded random tower to an archive as its {@link RandomRecipe} (a few hundred bytes
     * where the weights of the real shape take 250 MB); {@link #fromArchive} rebuilds it.
     *
     * @throws IllegalStateException if the weights were loaded rather than built from a seed
     */
    public ModelArchive addRecipeTo(ModelArchive a) {
        if (seed == null) {
            throw new IllegalStateException("only a tower built by random() has a recipe; " + description
                    + " was loaded");
        }
        return a.putJson(RANDOM_RECIPE, new RandomRecipe(seed, config, weightsSha256()));
    }

    /**
     * SHA-256 of the weights, parameter by parameter in graph order (each name, then its values
     * as little-endian floats): equal hashes mean bit-identical weights.
     */
    public String weightsSha256() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java SE runtime must provide", e);
        }
        for (String name : params.keySet()) {
            digest.update(name.getBytes(StandardCharsets.UTF_8));
            float[] values = sd.getArrForVarName(name).castTo(DataType.FLOAT).dup('c').data().asFloat();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Reads the encoder parts of an archive: the weights, or the recipe of a seeded random tower,
     * which is rebuilt and checked against the recorded SHA-256 of its weights.
     */
    public static ClipTextEncoder fromArchive(ModelArchive a, String source) {
        if (a.has(RANDOM_RECIPE)) {
            return rebuild(a.json(RANDOM_RECIPE, RandomRecipe.class), source);
        }
        ClipTextConfig cfg = a.json(CONFIG, ClipTextConfig.class).validate(source);
        List<ParamSpec> specs = ModelArchive.JSON.convertValue(a.json(PARAMS), new TypeReference<List<ParamSpec>>() { });
        Map<String, ParamSpec> params = new LinkedHashMap<>();
        specs.forEach(s -> params.put(s.name(), s));
        return new ClipTextEncoder(cfg, a.graph(GRAPH), params, source,
                ClipTokenizer.fromBytes(a.bytes(TOKENIZER)));
    }

    private static ClipTextEncoder rebuild(RandomRecipe recipe, String source) {
        if (recipe.config() == null || recipe.weightsSha256() == null) {
            throw new T2iException("the random CLIP recipe in " + source + " lacks its config or weights checksum;"
                    + " bundle the model again");
        }
        ClipTextEncoder clip = random(recipe.config().validate(source), recipe.seed());
        String sha = clip.weightsSha256();
        if (!sha.equals(recipe.weightsSha256())) {
            clip.release();
            throw new T2iException("the random CLIP of " + source + " (seed " + recipe.seed() + ") rebuilds with"
                    + " other weights on this JVM (SHA-256 " + sha.substring(0, 12) + "…, recorded "
                    + abbreviate(recipe.weightsSha256(), 12) + "…); bundle the model again on this machine");
        }
        return clip;
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n);
    }

    public ClipTextConfig config() {
        return config;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** Whether the weights are the seeded untrained ones of {@link #random}. */
    public boolean isRandom() {
        return isRandomSpec(description);
    }

    /**
     * Whether a spec ({@link #load}'s argument, or a {@link #description()}) names a seeded
     * untrained tower: {@code random} or {@code random:SEED}.
     */
    public static boolean isRandomSpec(String spec) {
        return spec != null && (spec.equals("random") || spec.startsWith("random:"));
    }

    /**
     * Tokenizes and encodes prompts. A prompt over 77 tokens is truncated, as CLIP does, with a
     * warning.
     */
    public ClipOutput encode(List<String> prompts) {
        INDArray[] t = tokenize(prompts);
        return encodeIds(t[0], t[1]);
    }

    /**
     * Encodes only the first {@code positions} token positions of each prompt: the token
     * embeddings [B, positions, W] are exactly the first rows of {@link #encode}'s (CLIP's causal
     * mask keeps later tokens out of earlier positions) at a fraction of the cost. A DiT that
     * attends to {@code context_len} tokens needs no more. Ids and mask are cut to the same
     * positions; {@code pooled} and {@code textEmbeds} are null, the EOS row may lie past the
     * cut. A prompt with more tokens than that is cut with a warning.
     *
     * @param positions 1 to {@link ClipTextConfig#maxPositions()} (all of them: as {@link #encode})
     */
    public ClipOutput encodePrefix(List<String> prompts, int positions) {
        int all = config.maxPositions();
        if (positions < 1 || positions > all) {
            throw new T2iException("CLIP encodes 1 to " + all + " positions, not " + positions);
        }
        if (positions == all) {
            return encode(prompts);
        }
        INDArray[] t = tokenize(prompts);
        INDArray ids = t[0].get(NDArrayIndex.all(), NDArrayIndex.interval(0, positions)).dup('c');
        INDArray mask = t[1].get(NDArrayIndex.all(), NDArrayIndex.interval(0, positions)).dup('c');
        INDArray tokens = t[1].sum(1);
        for (int i = 0; i < prompts.size(); i++) {
            warnIfCut(prompts.get(i), tokens.getLong(i), positions);
        }
        Map<String, INDArray> out = run(graphFor(positions), ids, mask, ClipTextGraph.LAST_HIDDEN);
        return new ClipOutput(ids, mask, out.get(ClipTextGraph.LAST_HIDDEN), null, null);
    }

    /**
     * Warns that a prompt of {@code tokens} tokens (start and end tokens included) loses all past
     * the first {@code positions}; silent when it fits. The one wording for every path that cuts.
     */
    public static void warnIfCut(String prompt, long tokens, int positions) {
        if (tokens > positions) {
            LOG.warn("prompt has {} tokens; the model reads the first {} and the rest is dropped: \"{}\"", tokens,
                    positions, dev.t2i.LogText.quote(prompt));
        }
    }

    /** The tower over {@code positions} positions: the whole one, or a prefix built on first use. */
    SameDiff graphFor(int positions) {
        if (positions == config.maxPositions()) {
            return sd;
        }
        synchronized (sd) {
            return prefixGraphs.computeIfAbsent(positions, n -> ClipTextGraph.prefix(config, sd, n));
        }
    }

    /** Token ids and mask, LONG [B, L], warning about prompts cut to CLIP's 77 tokens. */
    private INDArray[] tokenize(List<String> prompts) {
        if (prompts.isEmpty()) {
            throw new T2iException("no prompts to encode");
        }
        List<Tokenization> toks = tokenizer.tokenize(prompts);
        long[][] ids = new long[toks.size()][];
        long[][] mask = new long[toks.size()][];
        for (int i = 0; i < toks.size(); i++) {
            ids[i] = toks.get(i).ids();
            mask[i] = toks.get(i).attentionMask();
            if (toks.get(i).truncated()) {
                LOG.warn("prompt truncated to {} tokens, as CLIP does: \"{}\"", ClipTokenizer.CONTEXT_LENGTH,
                        dev.t2i.LogText.quote(prompts.get(i)));
            }
        }
        return new INDArray[] {Nd4j.createFromArray(ids), Nd4j.createFromArray(mask)};
    }

    /** Where the weights came from ({@code random:SEED} or a path), for logs and provenance. */
    public String description() {
        return description;
    }

    /** Number of (frozen) parameters. */
    public long parameterCount() {
        return params.values().stream().mapToLong(ParamSpec::size).sum();
    }

    /** Frees the native memory of the weights; the encoder must not be used afterwards. */
    public void release() {
        synchronized (sd) {
            // the prefix graphs hold the same weight arrays: only their sessions are theirs
            prefixGraphs.values().forEach(Graphs::closeSessions);
            prefixGraphs.clear();
            Graphs.release(sd);
        }
    }

    /** Encodes tokenised prompts: ids and mask [B, L] (any integer or float type). */
    public ClipOutput encodeIds(INDArray ids, INDArray mask) {
        if (ids.rank() != 2 || ids.size(1) != config.maxPositions() || !Arrays.equals(ids.shape(), mask.shape())) {
            throw new T2iException("CLIP input ids must be [B, " + config.maxPositions() + "] with a mask of the same"
                    + " shape, got " + Arrays.toString(ids.shape()) + " and " + Arrays.toString(mask.shape()));
        }
        Map<String, INDArray> out = run(sd, ids, mask, ClipTextGraph.LAST_HIDDEN, ClipTextGraph.POOLED,
                ClipTextGraph.TEXT_EMBEDS);
        return new ClipOutput(ids.castTo(DataType.LONG), mask.castTo(DataType.LONG), out.get(ClipTextGraph.LAST_HIDDEN),
                out.get(ClipTextGraph.POOLED), out.get(ClipTextGraph.TEXT_EMBEDS));
    }

    /** Runs {@code graph} (the tower or a prefix of it) on ids and mask, the prompts sharded over the workers. */
    private Map<String, INDArray> run(SameDiff graph, INDArray ids, INDArray mask, String... outputs) {
        INDArray idsInt = ids.castTo(DataType.INT);
        INDArray maskFloat = mask.castTo(DataType.FLOAT);
        long rows = ids.size(0);
        Workers workers = Workers.shared();
        int shards = workers.shardsFor(rows, MIN_SHARD_ROWS);
        List<Map<String, INDArray>> parts;
        synchronized (sd) {
            // one call at a time per tower (release() must not run under it); inside a call, shards
            // of the prompts run side by side, each thread in its own SameDiff session
            parts = workers.map(shards, i -> Graphs.output(graph, Map.of(
                    ClipTextGraph.INPUT_IDS, Workers.shardRows(idsInt, shards, i),
                    ClipTextGraph.ATTENTION_MASK, Workers.shardRows(maskFloat, shards, i)), outputs));
        }
        Map<String, INDArray> out = new java.util.HashMap<>();
        for (String name : outputs) {
            out.put(name, shards == 1 ? parts.get(0).get(name)
                    : Nd4j.concat(0, parts.stream().map(p -> p.get(name)).toArray(INDArray[]::new)));
        }
        return out;
    }
}
