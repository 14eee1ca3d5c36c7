package dev.t2i.dit;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.t2i.io.ModelArchive;
import dev.t2i.nn.ParamSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A DiT in this project's files: its config, parameter specs and SameDiff graph (with weights)
 * as three parts of a {@link ModelArchive}, alone or inside a checkpoint or bundle.
 */
public final class DitFiles {
    static final String GRAPH = "dit.samediff";
    static final String CONFIG = "dit-config.json";
    static final String PARAMS = "dit-params.json";

    private DitFiles() {
    }

    /** Writes a model file holding only the DiT. */
    public static void save(DitModel model, Path path) {
        addTo(model, ModelArchive.create()).write(path);
    }

    /** Reads a model file written by {@link #save}. */
    public static DitModel load(Path path) {
        return read(ModelArchive.read(path));
    }

    /** Adds the DiT's parts to an archive being assembled (checkpoints, bundles). */
    public static ModelArchive addTo(DitModel model, ModelArchive a) {
        return a.putJson(CONFIG, model.config()).putJson(PARAMS, model.params().values())
                .putGraph(GRAPH, model.graph(), false);
    }

    /** Reads the DiT parts of an archive (a model file, a checkpoint or a bundle). */
    public static DitModel read(ModelArchive a) {
        DitConfig cfg = a.json(CONFIG, DitConfig.class);
        List<ParamSpec> specs = ModelArchive.JSON.convertValue(a.json(PARAMS), new TypeReference<List<ParamSpec>>() { });
        Map<String, ParamSpec> params = new LinkedHashMap<>();
        specs.forEach(s -> params.put(s.name(), s));
        return new DitModel(cfg, a.graph(GRAPH), params);
    }
}
