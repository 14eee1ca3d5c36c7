package dev.t2i.clip;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.t2i.T2iException;

/**
 * The text tower's architecture, read from a Hugging Face CLIP {@code config.json}
 * ({@code text_config} of a CLIPModel, or the top level of a CLIPTextModel).
 *
 * @param vocabSize       token-embedding rows (49,408 for CLIP)
 * @param width           hidden size
 * @param layers          transformer layers
 * @param heads           attention heads
 * @param intermediate    MLP hidden size
 * @param maxPositions    context length (77)
 * @param activation      {@code quick_gelu} or {@code gelu}
 * @param layerNormEps    layer-norm epsilon
 * @param projectionDim   width of {@code text_embeds}
 * @param eosTokenId      the config's eos id; 2 is the legacy value meaning "position of the largest id"
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClipTextConfig(
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("hidden_size") int width,
        @JsonProperty("num_hidden_layers") int layers,
        @JsonProperty("num_attention_heads") int heads,
        @JsonProperty("intermediate_size") int intermediate,
        @JsonProperty("max_position_embeddings") int maxPositions,
        @JsonProperty("hidden_act") String activation,
        @JsonProperty("layer_norm_eps") double layerNormEps,
        @JsonProperty("projection_dim") int projectionDim,
        @JsonProperty("eos_token_id") int eosTokenId) {

    /** openai/clip-vit-base-patch32's text tower. */
    public static ClipTextConfig vitB32() {
        return new ClipTextConfig(49408, 512, 12, 8, 2048, 77, "quick_gelu", 1e-5, 512, 2);
    }

    /** Reads the text config out of a Hugging Face config.json tree. */
    public static ClipTextConfig fromHuggingFace(JsonNode root, String source) {
        String type = root.path("model_type").asText("");
        JsonNode text;
        int projection;
        if (root.has("text_config")) {
            text = root.get("text_config");
            projection = root.path("projection_dim").asInt(text.path("projection_dim").asInt(0));
        } else if (type.equals("clip_text_model")) {
            text = root;
            projection = root.path("projection_dim").asInt(0);
        } else {
            throw new T2iException(source + " is not a CLIP config (model_type '" + type
                    + "', no text_config); point --clip at a CLIPModel or CLIPTextModel folder");
        }
        ClipTextConfig c = new ClipTextConfig(
                text.path("vocab_size").asInt(49408),
                text.path("hidden_size").asInt(512),
                text.path("num_hidden_layers").asInt(12),
                text.path("num_attention_heads").asInt(8),
                text.path("intermediate_size").asInt(2048),
                text.path("max_position_embeddings").asInt(77),
                text.path("hidden_act").asText("quick_gelu"),
                text.path("layer_norm_eps").asDouble(1e-5),
                projection > 0 ? projection : text.path("projection_dim").asInt(512),
                text.path("eos_token_id").asInt(2));
        return c.validate(source);
    }

    /** Checks the fields; throws naming the first bad one. */
    public ClipTextConfig validate(String source) {
        if (width <= 0 || layers <= 0 || heads <= 0 || intermediate <= 0 || vocabSize <= 0 || maxPositions <= 0) {
            throw new T2iException("invalid CLIP text config in " + source + ": sizes must be positive");
        }
        if (width % heads != 0) {
            throw new T2iException("invalid CLIP text config in " + source + ": num_attention_heads " + heads
                    + " does not divide hidden_size " + width);
        }
        if (!activation.equals("quick_gelu") && !activation.equals("gelu")) {
            throw new T2iException("unsupported CLIP activation '" + activation + "' in " + source
                    + " (supported: quick_gelu, gelu)");
        }
        return this;
    }

    /** Whether the pooled token is found by the legacy rule (largest id) rather than by eos id. */
    public boolean legacyEos() {
        return eosTokenId == 2;
    }
}
