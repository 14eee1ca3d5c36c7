package dev.t2i.data.sources;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.DatasetOptions;
import dev.t2i.data.EpochShuffler;
import dev.t2i.image.ImageGrid;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a captioned grid of random images from a data set, to check what a loader reads:
 * {@code java -cp t2i.jar dev.t2i.data.sources.DatasetPreview <spec> [split] [count] [out.png]}.
 * The CLI can call {@link #write} for a {@code data preview} command.
 */
public final class DatasetPreview {
    private DatasetPreview() {
    }

    /** Picks {@code count} images at random (fixed seed) and writes them as a grid, 8 per row, 3× enlarged. */
    public static void write(CaptionedImages data, int count, Path png) {
        int[] order = new EpochShuffler(0).permutation(0, data.size());
        int n = Math.min(count, data.size());
        List<BufferedImage> images = new ArrayList<>(n);
        List<String> captions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            images.add(data.image(order[i]));
            captions.add(data.caption(order[i]));
        }
        ImageGrid.write(png, images, captions, 8, 3);
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: DatasetPreview <spec: shapes | folder | .zip | .tar.gz | .jsonl> [split] [count] [out.png]");
            System.exit(2);
        }
        try {
            String split = args.length > 1 ? args[1] : "train";
            int count = args.length > 2 ? Integer.parseInt(args[2]) : 32;
            Path out = Path.of(args.length > 3 ? args[3] : "preview.png");
            CaptionedImages data = DatasetLoader.open(args[0], DatasetOptions.defaults().withSplit(split));
            write(data, count, out);
            System.out.println(data + " -> " + out.toAbsolutePath());
        } catch (T2iException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        } catch (NumberFormatException e) {
            System.err.println("error: count must be a whole number, got " + args[2]);
            System.exit(2);
        }
    }
}
