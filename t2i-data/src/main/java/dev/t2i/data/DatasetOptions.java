package dev.t2i.data;

import dev.t2i.T2iException;

/**
 * How to load a data set. Immutable; start from {@link #defaults()} and change fields with the
 * {@code with…} methods.
 *
 * @param split         "train" or "test" (the built-in shapes also know "heldout")
 * @param limitPerClass load at most this many images of each class (0 = all); for class-less
 *                      sources it is ignored
 * @param limit         load at most this many images in total (0 = all). Image folders take
 *                      them round-robin over the classes so a small limit still covers every
 *                      class; CIFAR binaries and manifests take the first ones in file order.
 *                      For the built-in shapes it is the number of images to generate.
 * @param imageSize     required image side in pixels (0 = take it from the first image); the
 *                      built-in shapes are drawn at this size (0 = 32)
 * @param seed          seed of the built-in shapes generator
 */
public record DatasetOptions(String split, int limitPerClass, int limit, int imageSize, long seed) {
    public DatasetOptions {
        if (split == null || split.isBlank()) {
            throw new T2iException("no data split given: use train or test");
        }
        if (limitPerClass < 0 || limit < 0) {
            throw new T2iException("a data limit cannot be negative (got " + Math.min(limitPerClass, limit)
                    + "): use 0 for no limit");
        }
        if (imageSize < 0) {
            throw new T2iException("image size cannot be negative (got " + imageSize + "): use 0 to take the "
                    + "size from the data");
        }
    }

    /** Training split, no limits, size from the data, seed 0. */
    public static DatasetOptions defaults() {
        return new DatasetOptions("train", 0, 0, 0, 0L);
    }

    public DatasetOptions withSplit(String value) {
        return new DatasetOptions(value, limitPerClass, limit, imageSize, seed);
    }

    public DatasetOptions withLimitPerClass(int value) {
        return new DatasetOptions(split, value, limit, imageSize, seed);
    }

    public DatasetOptions withLimit(int value) {
        return new DatasetOptions(split, limitPerClass, value, imageSize, seed);
    }

    public DatasetOptions withImageSize(int value) {
        return new DatasetOptions(split, limitPerClass, limit, value, seed);
    }

    public DatasetOptions withSeed(long value) {
        return new DatasetOptions(split, limitPerClass, limit, imageSize, value);
    }
}
