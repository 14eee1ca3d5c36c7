package dev.t2i.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.t2i.T2iException;
import dev.t2i.dit.DitConfig;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import dev.t2i.sampling.SamplingOptions;
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

    /**
     * Sampling defaults of a preset, recorded by each run for {@code sample} and {@code bundle}.
     *
     * @param steps       integration steps (50)
     * @param cfg         guidance scale (7.5)
     * @param sampler     integrator (euler)
     * @param cfgInterval the times at which guidance applies ([0, 1]: all)
     * @param guideScale  autoguidance scale, away from the run's guide model ({@code train.guide_at});
     *                    1 for none (1)
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record SampleDefaults(@JsonProperty("steps") int steps, @JsonProperty("cfg") double cfg,
            @JsonProperty("sampler") Sampler sampler,
            @JsonProperty("cfg_interval")
            @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = GuidanceInterval.FullFilter.class)
            GuidanceInterval cfgInterval,
            @JsonProperty("guide_scale")
            @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = NoGuideFilter.class)
            double guideScale) {
        /** The reference's: 50 Euler steps at w = 7.5, guided at every time, no autoguidance. */
        public static final SampleDefaults REFERENCE = new SampleDefaults(50, 7.5, Sampler.EULER,
                GuidanceInterval.FULL, 1.0);

        /** Checks ranges, naming the field. */
        public SampleDefaults {
            if (steps < 1 || steps > 1000) {
                throw new T2iException("invalid sampling setting steps = " + steps + " (expected 1 to 1000)");
            }
            if (!(cfg >= 0 && cfg <= 50)) {
                throw new T2iException("invalid sampling setting cfg = " + cfg + " (expected 0 to 50)");
            }
            if (sampler == null) {
                throw new T2iException("invalid sampling setting sampler = null (expected euler or heun)");
            }
            if (cfgInterval == null) {
                throw new T2iException("invalid sampling setting cfg_interval = null (expected [from, to],"
                        + " e.g. [0, 1])");
            }
            if (!(guideScale >= 1 && guideScale <= SamplingOptions.MAX_GUIDE_SCALE)) {
                throw new T2iException("invalid sampling setting guide_scale = " + guideScale + " (expected 1, no"
                        + " autoguidance, to " + (int) SamplingOptions.MAX_GUIDE_SCALE + ")");
            }
        }

        /** Defaults that guide at every time, without autoguidance. */
        public SampleDefaults(int steps, double cfg, Sampler sampler) {
            this(steps, cfg, sampler, GuidanceInterval.FULL, 1.0);
        }

        /** Defaults without autoguidance. */
        public SampleDefaults(int steps, double cfg, Sampler sampler, GuidanceInterval cfgInterval) {
            this(steps, cfg, sampler, cfgInterval, 1.0);
        }

        /** From a config file, where a missing field takes the reference's value. */
        @JsonCreator
        static SampleDefaults read(@JsonProperty("steps") Integer steps, @JsonProperty("cfg") Double cfg,
                @JsonProperty("sampler") Sampler sampler, @JsonProperty("cfg_interval") GuidanceInterval cfgInterval,
                @JsonProperty("guide_scale") Double guideScale) {
            return new SampleDefaults(steps != null ? steps : REFERENCE.steps, cfg != null ? cfg : REFERENCE.cfg,
                    sampler != null ? sampler : REFERENCE.sampler,
                    cfgInterval != null ? cfgInterval : REFERENCE.cfgInterval,
                    guideScale != null ? guideScale : REFERENCE.guideScale);
        }

        /** These defaults as the options of a request for {@code seed}, one image per prompt. */
        public SamplingOptions options(long seed) {
            return new SamplingOptions(steps, cfg, seed, sampler, 1, null, cfgInterval, guideScale);
        }

        /**
         * Leaves {@code guide_scale: 1} out of written files, so that files of models without
         * autoguidance read as they did before it existed.
         */
        public static final class NoGuideFilter {
            @Override
            public boolean equals(Object value) {
                return value == null || (value instanceof Double d && d == 1.0);
            }

            @Override
            public int hashCode() {
                return 0;
            }
        }
    }

    /** Fills missing sections with the reference's values. */
    public Preset {
        description = description == null ? "" : description;
        model = model == null ? DitConfig.seedText() : model;
        train = train == null ? TrainConfig.reference() : train;
        sample = sample == null ? SampleDefaults.REFERENCE : sample;
        if (sample.guideScale() != 1.0 && train.guideAt() == 0) {
            // a run without a guide model could never sample with these defaults
            throw new T2iException("sample.guide_scale " + sample.guideScale() + " needs a guide model: set"
                    + " train.guide_at (e.g. 0.5), or guide_scale 1");
        }
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
            return YAML.readValue(in, Preset.class);
        } catch (UnrecognizedPropertyException e) {
            throw new T2iException("unknown field '" + e.getPropertyName() + "' in " + source + " (known: "
                    + e.getKnownPropertyIds() + ")");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            T2iException invalid = T2iException.within(e);
            if (invalid != null) {
                throw new T2iException(source + ": " + invalid.getMessage(), e);
            }
            throw new T2iException("malformed config " + source + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new T2iException("cannot read config " + source + ": " + e.getMessage());
        }
    }
}
