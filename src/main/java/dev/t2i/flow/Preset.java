package dev.t2i.flow;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.t2i.T2iException;
import dev.t2i.dit.DitConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A named configuration: model architecture, training recipe and sampling defaults. Presets
 * ship in the jar (from the project's {@code config/} folder) and are chosen with
 * {@code --preset NAME}; {@code --config FILE} reads the same YAML (or JSON) from a file.
 *
 * @param description one line
 * @param model       the DiT
 * @param train       the recipe
 * @param sample      sampling defaults
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Preset(
        @JsonProperty("description") String description,
        @JsonProperty("model") DitConfig model,
        @JsonProperty("train") TrainConfig train,
        @JsonProperty("sample") SampleDefaults sample) {

    /** Names of the presets in the jar. */
    public static final java.util.List<String> NAMES = java.util.List.of("seed", "improved", "tiny", "shapes", "cifar-cpu");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Sampling defaults of a preset. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record SampleDefaults(@JsonProperty("steps") int steps, @JsonProperty("cfg") double cfg,
            @JsonProperty("sampler") String sampler) {
        public SampleDefaults {
            steps = steps == 0 ? 50 : steps;
            cfg = cfg == 0 ? 7.5 : cfg;
            sampler = sampler == null ? "euler" : sampler;
        }
    }

    /** Fills missing sections with the reference's values. */
    public Preset {
        description = description == null ? "" : description;
        model = model == null ? DitConfig.seedText() : model;
        train = train == null ? TrainConfig.reference() : train;
        sample = sample == null ? new SampleDefaults(0, 0, null) : sample;
    }

    /** A preset shipped in the jar. */
    public static Preset named(String name) {
        try (InputStream in = Preset.class.getResourceAsStream("/presets/" + name + ".yaml")) {
            if (in == null) {
                throw new T2iException("unknown preset '" + name + "' (available: " + String.join(", ", NAMES) + ")");
            }
            return parse(in, "preset " + name);
        } catch (IOException e) {
            throw new T2iException("cannot read preset " + name + ": " + e.getMessage());
        }
    }

    /**
     * A preset by name ({@link #NAMES}) or, where {@code nameOrPath} ends in .yaml, .yml or .json
     * or names an existing file, from that file.
     */
    public static Preset resolve(String nameOrPath) {
        String lower = nameOrPath.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json")
                || (!NAMES.contains(nameOrPath) && Files.isRegularFile(Path.of(nameOrPath)))) {
            return file(Path.of(nameOrPath));
        }
        return named(nameOrPath);
    }

    /** A preset file (YAML or JSON). */
    public static Preset file(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new T2iException("config file not found: " + path);
        }
        try (InputStream in = Files.newInputStream(path)) {
            return parse(in, path.toString());
        } catch (IOException e) {
            throw new T2iException("cannot read " + path + ": " + e.getMessage());
        }
    }

    private static Preset parse(InputStream in, String source) {
        try {
            Preset p = YAML.readValue(in, Preset.class);
            p.model().validate();
            p.train().validate();
            return p;
        } catch (UnrecognizedPropertyException e) {
            throw new T2iException("unknown field '" + e.getPropertyName() + "' in " + source + " (known: "
                    + e.getKnownPropertyIds() + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new T2iException("malformed config " + source + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new T2iException("cannot read config " + source + ": " + e.getMessage());
        }
    }
}
