package dev.t2i.api;

import dev.t2i.NumberText;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.T2iException;
import dev.t2i.image.PngText;
import dev.t2i.sampling.GuidanceInterval;
import dev.t2i.sampling.Sampler;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything needed to make one image again, stored inside its PNG: a {@code parameters} text
 * chunk in the form other text-to-image tools write and read
 * ({@code <prompt>\nNegative prompt: …\nSteps: 20, Sampler: Euler, CFG scale: 7.5, Seed: 42,
 * Size: 16x16, Model hash: …, Model: …, Version: …}) and a {@code t2i} chunk with the same as
 * JSON, which is what t2i reads back.
 *
 * @param prompt         the prompt
 * @param negativePrompt the negative prompt, or null
 * @param seed           this image's own seed (image k of a request with seed s has s + k)
 * @param steps          integration steps
 * @param sampler        integrator
 * @param cfgScale       guidance scale
 * @param cfgInterval    the times at which guidance applied, or null for all of them
 * @param width          image width in pixels
 * @param height         image height in pixels
 * @param model          the model's name
 * @param modelHash      the model's weights hash ({@link ModelIdentity})
 * @param version        the t2i version that made it
 * @param strength       image-to-image strength, or null for text-to-image
 * @param initImageHash  SHA-256 (hex, first 10 digits) of the initial image's pixels, or null
 * @param guideScale     autoguidance scale, or null where there was none (a scale of 1)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationParameters(
        @JsonProperty("prompt") String prompt,
        @JsonProperty("negative_prompt") String negativePrompt,
        @JsonProperty("seed") long seed,
        @JsonProperty("steps") int steps,
        @JsonProperty("sampler") String sampler,
        @JsonProperty("cfg_scale") double cfgScale,
        @JsonProperty("cfg_interval") GuidanceInterval cfgInterval,
        @JsonProperty("width") int width,
        @JsonProperty("height") int height,
        @JsonProperty("model") String model,
        @JsonProperty("model_hash") String modelHash,
        @JsonProperty("version") String version,
        @JsonProperty("strength") Double strength,
        @JsonProperty("init_image_hash") String initImageHash,
        @JsonProperty("guide_scale") Double guideScale) {

    /**
     * Records guidance at every time as no interval and a guide scale of 1 as none, as images made
     * before either existed do.
     */
    public GenerationParameters {
        cfgInterval = cfgInterval != null && cfgInterval.full() ? null : cfgInterval;
        guideScale = guideScale != null && guideScale == 1.0 ? null : guideScale;
    }

    /** The text chunk other tools read. */
    public static final String PARAMETERS_KEY = "parameters";
    /** The JSON chunk t2i reads. */
    public static final String JSON_KEY = "t2i";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The guidance interval as options take it: {@link GuidanceInterval#FULL} where none was recorded. */
    public GuidanceInterval cfgIntervalValue() {
        return cfgInterval != null ? cfgInterval : GuidanceInterval.FULL;
    }

    /** The autoguidance scale as options take it: 1 where none was recorded. */
    public double guideScaleValue() {
        return guideScale != null ? guideScale : 1.0;
    }

    /** The integrator as a {@link Sampler}. */
    public Sampler samplerValue() {
        return Sampler.parse(sampler);
    }

    /** The {@code parameters} text: prompt, negative prompt, then one line of settings. */
    public String parametersText() {
        StringBuilder s = new StringBuilder(prompt);
        if (negativePrompt != null && !negativePrompt.isEmpty()) {
            s.append("\nNegative prompt: ").append(negativePrompt);
        }
        String name = sampler.substring(0, 1).toUpperCase(Locale.ROOT) + sampler.substring(1).toLowerCase(Locale.ROOT);
        s.append("\nSteps: ").append(steps)
                .append(", Sampler: ").append(name)
                .append(", CFG scale: ").append(NumberText.of(cfgScale));
        if (cfgInterval != null) {
            s.append(", CFG interval: ").append(cfgInterval.text('-'));
        }
        if (guideScale != null) {
            s.append(", Autoguidance: ").append(NumberText.of(guideScale));
        }
        s.append(", Seed: ").append(seed)
                .append(", Size: ").append(width).append('x').append(height)
                .append(", Model hash: ").append(modelHash)
                .append(", Model: ").append(model);
        if (strength != null) {
            s.append(", Denoising strength: ").append(NumberText.of(strength));
        }
        s.append(", Version: t2i ").append(version);
        return s.toString();
    }

    /** The JSON form (the {@code t2i} chunk). */
    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write generation parameters as JSON", e);
        }
    }

    /** Parses the JSON form. */
    public static GenerationParameters fromJson(String json) {
        try {
            GenerationParameters p = JSON.readValue(json, GenerationParameters.class);
            if (p.prompt() == null || p.sampler() == null) {
                throw new T2iException("the t2i metadata lacks the prompt or the sampler");
            }
            return p;
        } catch (JsonProcessingException e) {
            throw new T2iException("the t2i metadata is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The two text chunks: {@code parameters} and {@code t2i}. */
    public Map<String, String> pngTexts() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PARAMETERS_KEY, parametersText());
        m.put(JSON_KEY, json());
        return m;
    }

    /** The image as PNG with these parameters inside. */
    public byte[] png(BufferedImage image) {
        return PngText.encode(image, pngTexts());
    }

    /**
     * Reads the parameters from a PNG written by t2i.
     *
     * @throws T2iException when it holds none (not written by t2i, or stripped)
     */
    public static GenerationParameters fromPng(byte[] png) {
        Map<String, String> texts;
        try {
            texts = PngText.read(png);
        } catch (IllegalArgumentException e) {
            throw new T2iException(e.getMessage() + " (give a PNG written by t2i)");
        }
        String json = texts.get(JSON_KEY);
        if (json == null) {
            throw new T2iException("the image has no t2i generation parameters (only PNGs written by t2i carry"
                    + " them; image editors may strip them)");
        }
        return fromJson(json);
    }

    /** Reads the parameters from a PNG file written by t2i. */
    public static GenerationParameters fromPng(Path file) {
        try {
            return fromPng(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new T2iException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The short hash recorded for an initial image: SHA-256 of its 8-bit RGB pixels, first 10 hex digits. */
    public static String imageHash(BufferedImage image) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(
                    dev.t2i.image.Images.toChwBytes(image));
            return java.util.HexFormat.of().formatHex(d).substring(0, 10);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
