package dev.t2i.data.shapes;

import dev.t2i.T2iException;
import dev.t2i.data.Captions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** A colour–shape pair: what one image of the built-in data set shows and its caption says. */
public record ShapePrompt(ShapeColor color, ShapeKind shape) {
    private static final List<ShapePrompt> ALL;

    static {
        List<ShapePrompt> all = new ArrayList<>();
        for (ShapeColor c : ShapeColor.values()) {
            for (ShapeKind s : ShapeKind.values()) {
                all.add(new ShapePrompt(c, s));
            }
        }
        ALL = List.copyOf(all);
    }

    /** All colour–shape pairs, colour-major; a pair's position is its {@link #index()}. */
    public static List<ShapePrompt> all() {
        return ALL;
    }

    /** This pair's position in {@link #all()}, used as its class label. */
    public int index() {
        return color.ordinal() * ShapeKind.values().length + shape.ordinal();
    }

    /** "red circle". */
    public String phrase() {
        return color.word() + " " + shape.word();
    }

    /** "a red circle", "an orange square". */
    public String caption() {
        return Captions.withArticle(phrase());
    }

    /** Reads "a red circle" / "an orange square" (any case, extra spaces, no article). */
    public static Optional<ShapePrompt> tryParse(String caption) {
        String[] words = caption.strip().toLowerCase(Locale.ROOT).split("\\s+");
        int start = words.length == 3 && (words[0].equals("a") || words[0].equals("an")) ? 1 : 0;
        if (words.length - start != 2) {
            return Optional.empty();
        }
        for (ShapePrompt p : ALL) {
            if (p.color.word().equals(words[start]) && p.shape.word().equals(words[start + 1])) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Like {@link #tryParse} but a caption that is not a shapes prompt is a user error. */
    public static ShapePrompt parse(String caption) {
        return tryParse(caption).orElseThrow(() -> new T2iException("'" + caption + "' is not a shapes prompt: write "
                + "'a <colour> <shape>' with colour one of " + words(ShapeColor.values()) + " and shape one of "
                + words(ShapeKind.values())));
    }

    private static String words(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return phrase();
    }
}
