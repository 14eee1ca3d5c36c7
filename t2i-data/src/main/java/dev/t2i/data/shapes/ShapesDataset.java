package dev.t2i.data.shapes;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import dev.t2i.random.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The built-in captioned shapes data set: {@value #COLORS} colours × {@value #SHAPES} shapes,
 * one filled shape per image ({@link ShapeRenderer}), captioned "a red circle".
 *
 * <p>Three pairs are held out of training to measure composition: a model that has seen red,
 * blue and yellow things and circles, squares and triangles, but never a red triangle, a blue
 * circle or a yellow square, is asked to draw those. Each held-out colour still appears in
 * training with the two other shapes, and each held-out shape with the five other colours.
 *
 * <p>Image {@code i} of a split depends only on (seed, split, i, size): the pairs cycle in
 * {@link ShapePrompt#all()} order, so every split is balanced, and each image draws from its
 * own generator. Same arguments, same bytes, on any machine and thread count.
 */
public final class ShapesDataset {
    public static final int COLORS = 6;
    public static final int SHAPES = 3;
    /** Default image side. */
    public static final int DEFAULT_SIZE = 32;
    /** Default number of images of the training split. */
    public static final int DEFAULT_TRAIN_COUNT = 15_000;
    /** Default number of images of the test and held-out splits. */
    public static final int DEFAULT_EVAL_COUNT = 1_800;
    /** The pairs never shown in training. */
    public static final List<ShapePrompt> HELD_OUT = List.of(
            new ShapePrompt(ShapeColor.RED, ShapeKind.TRIANGLE),
            new ShapePrompt(ShapeColor.BLUE, ShapeKind.CIRCLE),
            new ShapePrompt(ShapeColor.YELLOW, ShapeKind.SQUARE));

    /** Which pairs a split draws, and whose images they are. */
    public enum Split {
        /** The pairs not held out. */
        TRAIN,
        /** All pairs, with images unlike the training split's. */
        TEST,
        /** Only the held-out pairs. */
        HELD_OUT;

        /** "train", "test" or "heldout" (also "held_out", "held-out"). */
        public static Split parse(String name) {
            return switch (name.toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "")) {
                case "train" -> TRAIN;
                case "test" -> TEST;
                case "heldout" -> HELD_OUT;
                default -> throw new T2iException("the shapes data set has no split '" + name
                        + "': use train, test or heldout");
            };
        }
    }

    private ShapesDataset() {
    }

    /** Whether the pair is one of the {@link #HELD_OUT} ones. */
    public static boolean isHeldOut(ShapePrompt prompt) {
        return HELD_OUT.contains(prompt);
    }

    /** The pairs of a split, in {@link ShapePrompt#all()} order. */
    public static List<ShapePrompt> prompts(Split split) {
        return switch (split) {
            case TRAIN -> ShapePrompt.all().stream().filter(p -> !isHeldOut(p)).toList();
            case TEST -> ShapePrompt.all();
            case HELD_OUT -> HELD_OUT;
        };
    }

    /** Loads with {@link DatasetOptions}: split, limit (= image count; 0 = default), image size, seed. */
    public static CaptionedImages load(DatasetOptions options) {
        Split split = Split.parse(options.split());
        int count = options.limit() > 0 ? options.limit()
                : split == Split.TRAIN ? DEFAULT_TRAIN_COUNT : DEFAULT_EVAL_COUNT;
        int size = options.imageSize() > 0 ? options.imageSize() : DEFAULT_SIZE;
        return generate(split, count, size, options.seed());
    }

    /**
     * Generates {@code count} images of {@code size × size}. Labels are {@link ShapePrompt#index()}
     * and the class names are all {@value #COLORS}×{@value #SHAPES} phrases ("red circle"), so
     * labels mean the same in every split.
     */
    public static CaptionedImages generate(Split split, int count, int size, long seed) {
        if (size < 8 || size > 256) {
            throw new T2iException("shapes image size " + size + " is out of range: use 16 or 32 (8 to 256 work)");
        }
        if (count < 1) {
            throw new T2iException("shapes image count " + count + " is too small: ask for at least 1 image");
        }
        List<ShapePrompt> prompts = prompts(split);
        int per = 3 * size * size;
        byte[] pixels = new byte[Math.multiplyExact(count, per)];
        int[] labels = new int[count];
        List<String> captions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ShapePrompt p = prompts.get(i % prompts.size());
            labels[i] = p.index();
            captions.add(p.caption());
        }
        IntStream.range(0, count).parallel().forEach(i -> ShapeRenderer.render(
                prompts.get(i % prompts.size()), size, random(seed, split, i), pixels, i * per));
        List<String> classNames = ShapePrompt.all().stream().map(ShapePrompt::phrase).toList();
        String source = "shapes " + split.name().toLowerCase(java.util.Locale.ROOT) + " seed " + seed;
        return new CaptionedImages(source, size, size, pixels, captions, labels, classNames, List.of());
    }

    /** The generator of one image. */
    public static SplittableRandom random(long seed, Split split, int index) {
        return new SplittableRandom(Seeds.mix(seed, split.ordinal(), index));
    }
}
