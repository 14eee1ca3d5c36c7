package dev.t2i.train;

import dev.t2i.T2iException;
import dev.t2i.dit.DitFiles;
import dev.t2i.dit.DitNetwork;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.Safetensors;
import dev.t2i.io.TensorFormatException;
import dev.t2i.nn.ParamSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training checkpoint: the DiT (graph and live weights), the EMA weights, the optimiser's
 * moments and the {@link RunState}, in one archive written atomically as
 * {@code checkpoints/step-NNNNNNNN.t2i} inside the run folder.
 */
public final class Checkpoint {
    static final String STATE = "state.json";
    static final String EMA = "ema.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String DIR = "checkpoints";
    /**
     * The run's guide model ({@code train.guide_at}): a checkpoint without optimiser moments,
     * beside the {@code checkpoints} folder so that it is never taken for the newest one.
     */
    public static final String GUIDE = "guide.t2i";

    private final DitNetwork model;
    private final RunState state;
    private final Map<String, INDArray> ema;
    private final Map<String, INDArray> optimizer;

    public Checkpoint(DitNetwork model, RunState state, Map<String, INDArray> ema, Map<String, INDArray> optimizer) {
        this.model = model;
        this.state = state;
        this.ema = ema;
        this.optimizer = optimizer;
    }

    public DitNetwork model() {
        return model;
    }

    public RunState state() {
        return state;
    }

    /** EMA weights, or null when the run keeps none. */
    public Map<String, INDArray> ema() {
        return ema;
    }

    public Map<String, INDArray> optimizer() {
        return optimizer;
    }

    /** Writes the checkpoint into {@code runDir/checkpoints} and keeps only the newest {@code keep}. */
    public Path write(Path runDir, int keep) {
        Path dir = runDir.resolve(DIR);
        Path file = writeTo(dir.resolve(String.format("step-%08d.t2i", state.step())));
        prune(dir, keep);
        return file;
    }

    /** Writes the checkpoint atomically as {@code file} (the guide model, for one). */
    public Path writeTo(Path file) {
        ModelArchive a = DitFiles.addTo(model, ModelArchive.create()).putJson(STATE, state);
        if (ema != null) {
            a.putTensors(EMA, ema);
        }
        if (optimizer != null && !optimizer.isEmpty()) {
            a.putTensors(OPTIMIZER, optimizer);
        }
        a.write(file);
        return file;
    }

    /**
     * Reads a checkpoint file, or the newest readable checkpoint of a run folder: one damaged by
     * a crash or a full disk is skipped, with a warning naming it, for the one before it.
     */
    public static Checkpoint read(Path fileOrRun) {
        if (!Files.isDirectory(fileOrRun)) {
            return readFile(fileOrRun);
        }
        List<Path> all = list(fileOrRun.resolve(DIR));
        latest(fileOrRun);
        RuntimeException newestError = null;
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                Checkpoint c = readFile(all.get(i));
                if (newestError != null) {
                    org.slf4j.LoggerFactory.getLogger("t2i").warn("{} cannot be read ({}); using {}",
                            all.get(all.size() - 1).getFileName(), newestError.getMessage(), all.get(i).getFileName());
                }
                return c;
            } catch (RuntimeException e) {
                newestError = newestError == null ? e : newestError;
            }
        }
        throw newestError;
    }

    private static Checkpoint readFile(Path file) {
        ModelArchive a = ModelArchive.read(file);
        try {
            RunState state = a.has(STATE) ? a.json(STATE, RunState.class) : null;
            Map<String, INDArray> ema = a.has(EMA) ? Safetensors.readAll(a.bytes(EMA)) : null;
            Map<String, INDArray> opt = a.has(OPTIMIZER) ? Safetensors.readAll(a.bytes(OPTIMIZER)) : Map.of();
            DitNetwork model = DitFiles.read(a);
            if (ema != null) {
                checkEma(model, ema);
            }
            checkOptimizer(model, opt);
            return new Checkpoint(model, state, ema, opt);
        } catch (T2iException e) {
            throw new TensorFormatException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The EMA must hold every trainable weight of the model at its shape, and nothing else: a
     * tensor of another shape was once restored from its first element, and a missing one would
     * leave live weights among the averaged.
     */
    private static void checkEma(DitNetwork model, Map<String, INDArray> ema) {
        for (var e : ema.entrySet()) {
            expectParameter(model, "its EMA", e.getKey(), e.getKey(), e.getValue());
        }
        for (String name : model.trainableNames()) {
            if (!ema.containsKey(name)) {
                throw damaged("its EMA lacks the weight '" + name + "'");
            }
        }
    }

    /**
     * The optimiser state is {@code m.NAME} and {@code v.NAME} for trainable weights, both, at the
     * weight's shape and floating: anything else used to fail at the first step as
     * "Op [adam_updater] execution failed".
     */
    private static void checkOptimizer(DitNetwork model, Map<String, INDArray> opt) {
        for (var e : opt.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("m.") && !key.startsWith("v.")) {
                throw damaged("its optimiser state has an entry '" + key + "' (expected m.NAME or v.NAME)");
            }
            String name = key.substring(2);
            expectParameter(model, "its optimiser state", key, name, e.getValue());
            String other = (key.startsWith("m.") ? "v." : "m.") + name;
            if (!opt.containsKey(other)) {
                throw damaged("its optimiser state has '" + key + "' but not '" + other + "'");
            }
        }
    }

    private static void expectParameter(DitNetwork model, String where, String key, String name, INDArray value) {
        ParamSpec spec = model.params().get(name);
        if (spec == null || !spec.trainable()) {
            throw damaged(where + " has '" + key + "', which is not a trainable weight of this model");
        }
        if (!Arrays.equals(spec.shape(), value.shape())) {
            throw damaged(where + " has '" + key + "' of shape " + Arrays.toString(value.shape()) + " but the weight"
                    + " is " + Arrays.toString(spec.shape()));
        }
        if (!value.dataType().isFPType()) {
            throw damaged(where + " has '" + key + "' of type " + value.dataType() + ", not floating point");
        }
    }

    private static T2iException damaged(String what) {
        return new T2iException(what + " (the checkpoint is damaged or belongs to another model; resume from an"
                + " earlier one)");
    }

    /**
     * The newest checkpoint file of a run folder, or null where it has none. Checkpoints are
     * written atomically, so a file under a checkpoint's name is a complete one (a full disk
     * leaves no {@code step-*.t2i} behind, only a temporary file that the next write removes).
     */
    public static Path newest(Path runDir) {
        List<Path> all = list(runDir.resolve(DIR));
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** The newest checkpoint file of a run folder. */
    public static Path latest(Path runDir) {
        List<Path> all = list(runDir.resolve(DIR));
        if (all.isEmpty()) {
            throw new TensorFormatException("no checkpoints in " + runDir.resolve(DIR)
                    + " (is it a run folder written by 't2i train'?)");
        }
        return all.get(all.size() - 1);
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("step-\\d+\\.t2i")).sorted().toList();
        } catch (IOException e) {
            throw new TensorFormatException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void prune(Path dir, int keep) {
        // temporary files of writes that a kill interrupted
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("\\.step-\\d+\\.t2i.*\\.tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // leftovers cost disk, not correctness
        }
        List<Path> all = list(dir);
        for (int i = 0; i < all.size() - keep; i++) {
            try {
                Files.deleteIfExists(all.get(i));
            } catch (IOException ignored) {
                // an old checkpoint that cannot be removed costs disk, not correctness
            }
        }
    }
}
