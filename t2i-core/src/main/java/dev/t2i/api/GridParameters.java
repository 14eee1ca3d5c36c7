package dev.t2i.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.T2iException;
import dev.t2i.image.PngText;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a grid of images was made with: the settings its images share, once, and each cell's
 * prompt and seed, as AUTOMATIC1111 records its grids. A grid PNG carries a human-readable
 * {@value GenerationParameters#PARAMETERS_KEY} text and this record as JSON under
 * {@value #JSON_KEY}; {@link #cell} gives any cell's full {@link GenerationParameters}.
 *
 * @param shared  the settings common to every cell; its prompt and seed are the first cell's
 * @param columns cells per grid row
 * @param cells   prompt and seed of each cell, row by row
 */
public record GridParameters(
        @JsonProperty("shared") GenerationParameters shared,
        @JsonProperty("columns") int columns,
        @JsonProperty("cells") List<Cell> cells) {

    /** The JSON chunk of a grid (an image's is {@value GenerationParameters#JSON_KEY}). */
    public static final String JSON_KEY = "t2i-grid";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * One cell of the grid.
     *
     * @param prompt   the cell's prompt
     * @param seed     the seed of the cell's noise
     * @param cfgScale the cell's guidance scale where cells differ in it (a guidance sweep), else null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cell(@JsonProperty("prompt") String prompt, @JsonProperty("seed") long seed,
            @JsonProperty("cfg_scale") Double cfgScale) {
        /** A cell that shares the grid's guidance scale. */
        public Cell(String prompt, long seed) {
            this(prompt, seed, null);
        }
    }

    /** Checks the fields: at least one cell, a positive column count. */
    public GridParameters {
        Objects.requireNonNull(shared, "shared parameters");
        if (cells == null || cells.isEmpty()) {
            throw new IllegalArgumentException("a grid has at least one cell");
        }
        if (columns < 1) {
            throw new IllegalArgumentException("columns must be at least 1, not " + columns);
        }
        cells = List.copyOf(cells);
    }

    /** The full parameters of cell {@code index} (0-based, row by row): the shared ones with its prompt and seed. */
    public GenerationParameters cell(int index) {
        Cell c = cells.get(index);
        GenerationParameters s = shared;
        double cfg = c.cfgScale() != null ? c.cfgScale() : s.cfgScale();
        return new GenerationParameters(c.prompt(), s.negativePrompt(), c.seed(), s.steps(), s.sampler(), cfg,
                s.cfgInterval(),
                s.width(), s.height(), s.model(), s.modelHash(), s.version(), s.strength(), s.initImageHash(),
                s.guideScale());
    }

    /**
     * The {@code parameters} text: a line saying it is a grid, the shared settings (without a
     * prompt or seed), then one line per cell with its seed and prompt.
     */
    public String parametersText() {
        String settings = shared.parametersText();
        // the shared text's first line is the first cell's prompt; its settings line names that cell's seed
        settings = settings.substring(settings.indexOf('\n') + 1).replace(", Seed: " + shared.seed(), "");
        boolean sweep = cells.stream().anyMatch(c -> c.cfgScale() != null);
        if (sweep) {
            // the shared line must not claim one scale for cells that each have their own
            settings = settings.replaceFirst(", CFG scale: [^,]*", "");
        }
        StringBuilder s = new StringBuilder("Grid: ").append(cells.size()).append(cells.size() == 1 ? " image" : " images")
                .append(", ").append(columns).append(columns == 1 ? " column" : " columns").append('\n')
                .append(settings);
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            s.append("\nCell ").append(i + 1).append(": Seed: ").append(c.seed());
            if (c.cfgScale() != null) {
                s.append(", CFG scale: ").append(dev.t2i.NumberText.of(c.cfgScale()));
            }
            s.append(", Prompt: ").append(c.prompt());
        }
        return s.toString();
    }

    /** The JSON form (the {@value #JSON_KEY} chunk). */
    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write grid parameters as JSON", e);
        }
    }

    /** Parses the JSON form. */
    public static GridParameters fromJson(String json) {
        try {
            return JSON.readValue(json, GridParameters.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new T2iException("the t2i grid metadata is not valid: " + e.getMessage());
        }
    }

    /** The grid image as PNG with its {@code parameters} text and JSON inside. */
    public byte[] png(BufferedImage grid) {
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put(GenerationParameters.PARAMETERS_KEY, parametersText());
        texts.put(JSON_KEY, json());
        return PngText.encode(grid, texts);
    }

    /** The grid parameters inside a PNG's text chunks, or null when it is not a t2i grid. */
    public static GridParameters fromPngTexts(Map<String, String> texts) {
        String json = texts.get(JSON_KEY);
        return json == null ? null : fromJson(json);
    }

    /**
     * The grid parameters inside a PNG file, or null when it is not a t2i grid, not a PNG or not
     * readable: {@link GenerationParameters#fromPng(Path)} names those problems for one image.
     */
    public static GridParameters fromPng(Path file) {
        try {
            return fromPngTexts(PngText.read(Files.readAllBytes(file)));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
