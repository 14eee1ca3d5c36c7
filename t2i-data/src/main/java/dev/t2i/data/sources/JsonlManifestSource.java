package dev.t2i.data.sources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON Lines manifest of captioned images: one object per line,
 * {@code {"image": "photos/cat1.png", "caption": "a cat on a sofa"}}. Relative image paths
 * resolve against the manifest's folder; blank lines are ignored. Manifests have no classes.
 */
final class JsonlManifestSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlManifestSource() {
    }

    static CaptionedImages load(Path manifest, DatasetOptions options) {
        List<String> lines;
        try {
            lines = Files.readAllLines(manifest);
        } catch (IOException e) {
            throw new T2iException("cannot read " + manifest + ": " + e.getMessage() + "; check that it is UTF-8 text "
                    + "and readable", e);
        }
        Path base = manifest.toAbsolutePath().getParent();
        List<ImageDecoding.Encoded> encoded = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < lines.size() && (options.limit() == 0 || encoded.size() < options.limit()); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = manifest + " line " + (i + 1);
            JsonNode node = parse(line, where);
            String image = text(node, "image", where);
            String caption = text(node, "caption", where);
            Path file = base.resolve(image);
            if (!Files.isRegularFile(file)) {
                throw new T2iException(where + ": image " + image + " not found (looked at " + file
                        + "): fix the path; relative paths resolve against the manifest's folder");
            }
            encoded.add(new ImageDecoding.Encoded(file.toString(), () -> Files.readAllBytes(file)));
            captions.add(caption);
        }
        if (encoded.isEmpty()) {
            throw new T2iException(manifest + " lists no images: add lines like {\"image\": \"a.png\", \"caption\": "
                    + "\"a red circle\"}");
        }
        ImageDecoding.Packed packed = ImageDecoding.decodeAll(manifest.toString(), encoded, options.imageSize());
        List<String> kept = new ArrayList<>(packed.count());
        for (int index : packed.kept()) {
            kept.add(captions.get(index));
        }
        return new CaptionedImages(manifest.toString(), packed.height(), packed.width(), packed.pixels(), kept,
                null, List.of(), packed.warnings());
    }

    private static JsonNode parse(String line, String where) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isObject()) {
                throw new T2iException(where + " is not a JSON object: write one {\"image\": ..., \"caption\": ...} "
                        + "object per line");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new T2iException(where + " is not valid JSON (" + e.getOriginalMessage()
                    + "): write one {\"image\": ..., \"caption\": ...} object per line", e);
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new T2iException(where + " has no \"" + field + "\" text: every line needs \"image\" (a path) and "
                    + "\"caption\" (a string)");
        }
        return value.asText();
    }
}
