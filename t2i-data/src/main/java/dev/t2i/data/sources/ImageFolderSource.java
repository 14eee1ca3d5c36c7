package dev.t2i.data.sources;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.Captions;
import dev.t2i.data.DatasetOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads a class-per-folder image collection, {@code <root>/<split>/<class>/*.png|jpg}, from a
 * folder or a zip archive. The root may also be wrapped in one top folder (as in
 * {@code cifar10-jpg.zip}, whose entries are {@code cifar10-jpg/train/cat/0001.jpg}).
 *
 * <p>Labels are the class folders in name order. CIFAR-10's class names happen to be in
 * alphabetical order already, so a CIFAR-10 image folder gets the binary release's labels.
 * Captions are "a photo of a &lt;class&gt;".
 */
final class ImageFolderSource {
    private ImageFolderSource() {
    }

    /**
     * Whether a folder looks like this layout: a split folder at the top, or inside the only
     * sub-folder. Checks a few paths rather than listing every file.
     */
    static boolean looksLike(Path dir, String split) {
        if (Files.isDirectory(dir.resolve(split))) {
            return true;
        }
        try (Stream<Path> children = Files.list(dir)) {
            List<Path> folders = children.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            return folders.size() == 1 && Files.isDirectory(folders.get(0).resolve(split));
        } catch (IOException e) {
            throw new T2iException("cannot list " + dir + ": " + e.getMessage() + "; check the folder's permissions", e);
        }
    }

    static CaptionedImages load(Path path, DatasetOptions options) {
        String split = options.split();
        try (FileTree tree = FileTree.open(path)) {
            List<String> files = tree.files();
            String root = findRoot(files, split);
            if (root == null) {
                throw new T2iException("no '" + split + "' folder in " + path + ": expected the layout <root>/"
                        + split + "/<class>/*.png|jpg (optionally inside one top folder); check --split");
            }
            Map<String, List<String>> byClass = filesByClass(files, root + split + "/");
            if (byClass.isEmpty()) {
                throw new T2iException("no images in " + tree.describe(root + split) + ": expected class folders with "
                        + "PNG or JPEG files, <root>/" + split + "/<class>/*.png|jpg");
            }
            List<String> classNames = new ArrayList<>(byClass.keySet());
            List<Integer> fileLabels = new ArrayList<>();
            List<String> chosen = choose(byClass, classNames, options, fileLabels);

            List<ImageDecoding.Encoded> encoded = new ArrayList<>(chosen.size());
            for (String file : chosen) {
                encoded.add(new ImageDecoding.Encoded(tree.describe(file), () -> tree.read(file)));
            }
            ImageDecoding.Packed packed = ImageDecoding.decodeAll(path.toString(), encoded, options.imageSize());

            List<String> classCaptions = Captions.photoOfEach(classNames);
            int[] labels = new int[packed.count()];
            List<String> captions = new ArrayList<>(packed.count());
            for (int k = 0; k < labels.length; k++) {
                labels[k] = fileLabels.get(packed.kept()[k]);
                captions.add(classCaptions.get(labels[k]));
            }
            return new CaptionedImages(path + " (" + split + ")", packed.height(), packed.width(), packed.pixels(),
                    captions, labels, classNames, packed.warnings());
        }
    }

    /**
     * The prefix under which {@code <split>/} sits: "" when it is at the top, "top/" when all
     * files share one top folder that holds it, or null when neither.
     */
    static String findRoot(List<String> files, String split) {
        Set<String> tops = new TreeSet<>();
        boolean atTop = false;
        for (String f : files) {
            if (ignored(f)) {
                continue;
            }
            int slash = f.indexOf('/');
            if (slash < 0) {
                continue;
            }
            tops.add(f.substring(0, slash));
            atTop |= f.startsWith(split + "/");
        }
        if (atTop) {
            return "";
        }
        if (tops.size() == 1) {
            String prefix = tops.iterator().next() + "/";
            for (String f : files) {
                if (f.startsWith(prefix + split + "/") && !ignored(f)) {
                    return prefix;
                }
            }
        }
        return null;
    }

    /** Image files directly inside each class folder under {@code splitPrefix}, sorted by name. */
    private static Map<String, List<String>> filesByClass(List<String> files, String splitPrefix) {
        Map<String, List<String>> byClass = new TreeMap<>();
        for (String f : files) {
            if (!f.startsWith(splitPrefix) || ignored(f)) {
                continue;
            }
            String[] parts = f.substring(splitPrefix.length()).split("/");
            if (parts.length == 2 && ImageDecoding.isImageName(parts[1])) {
                byClass.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(f);
            }
        }
        byClass.values().forEach(list -> list.sort(null));
        return byClass;
    }

    /**
     * The files to load after the limits, class-major; fills {@code labels} in step. A total
     * limit takes files round-robin over the classes, so that it stays balanced.
     */
    private static List<String> choose(Map<String, List<String>> byClass, List<String> classNames,
                                       DatasetOptions options, List<Integer> labels) {
        int perClass = options.limitPerClass() > 0 ? options.limitPerClass() : Integer.MAX_VALUE;
        int[] take = new int[classNames.size()];
        for (int c = 0; c < take.length; c++) {
            take[c] = Math.min(perClass, byClass.get(classNames.get(c)).size());
        }
        if (options.limit() > 0) {
            int[] capped = new int[take.length];
            int remaining = options.limit();
            for (int round = 0; remaining > 0; round++) {
                boolean any = false;
                for (int c = 0; c < take.length && remaining > 0; c++) {
                    if (round < take[c]) {
                        capped[c]++;
                        remaining--;
                        any = true;
                    }
                }
                if (!any) {
                    break;
                }
            }
            take = capped;
        }
        List<String> chosen = new ArrayList<>();
        for (int c = 0; c < take.length; c++) {
            List<String> files = byClass.get(classNames.get(c));
            for (int i = 0; i < take[c]; i++) {
                chosen.add(files.get(i));
                labels.add(c);
            }
        }
        return chosen;
    }

    /** Hidden files and the resource forks macOS adds to zips are not data. */
    private static boolean ignored(String path) {
        return path.startsWith("__MACOSX/") || path.startsWith(".") || path.contains("/.");
    }
}
