package dev.t2i.data.sources;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.Captions;
import dev.t2i.data.DatasetOptions;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads CIFAR-10 in its official binary release: the folder {@code cifar-10-batches-bin/}
 * ({@code data_batch_1..5.bin}, {@code test_batch.bin}, {@code batches.meta.txt}) or the
 * {@code cifar-10-binary.tar.gz} archive it comes in, streamed with the JDK's gzip.
 *
 * <p>Each record is one label byte and 3,072 pixel bytes: 1,024 red, 1,024 green, 1,024 blue,
 * each 32×32 row-major, which is already {@link CaptionedImages}'s CHW layout.
 */
final class CifarBinarySource {
    static final String FOLDER = "cifar-10-batches-bin";
    static final int SIDE = 32;
    private static final int PIXELS = 3 * SIDE * SIDE;
    private static final int RECORD = 1 + PIXELS;
    private static final String META = "batches.meta.txt";
    private static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    private static final List<String> TEST_FILES = List.of("test_batch.bin");

    private CifarBinarySource() {
    }

    /** Whether the folder holds the binary batches, directly or in {@code cifar-10-batches-bin/}. */
    static boolean isCifarFolder(Path dir) {
        Path batches = batchFolder(dir);
        return Files.isRegularFile(batches.resolve("data_batch_1.bin")) || Files.isRegularFile(batches.resolve("test_batch.bin"));
    }

    /** Reads the split from a folder or a .tar.gz archive. */
    static CaptionedImages load(Path path, DatasetOptions options) {
        List<String> wanted = filesOf(options.split(), path);
        if (options.imageSize() != 0 && options.imageSize() != SIDE) {
            throw new T2iException("CIFAR-10 images are 32x32 but image size " + options.imageSize()
                    + " was asked for: use image size 32 (or 0) with " + path);
        }
        Map<String, byte[]> contents = Files.isDirectory(path) ? readFolder(path, wanted) : readTarGz(path, wanted);
        List<String> classNames = contents.containsKey(META)
                ? parseMeta(contents.get(META), path)
                : Captions.CIFAR10_CLASSES;

        List<byte[]> files = new ArrayList<>();
        for (String name : wanted) {
            byte[] data = contents.get(name);
            if (data.length % RECORD != 0 || data.length == 0) {
                throw new T2iException(path + ": " + name + " has " + data.length + " bytes, not a whole number of "
                        + RECORD + "-byte CIFAR-10 records: the file is truncated or not CIFAR-10 (CIFAR-100 "
                        + "has 2 label bytes); download cifar-10-binary.tar.gz again");
            }
            files.add(data);
        }
        return assemble(path, options, files, wanted, classNames);
    }

    private static List<String> filesOf(String split, Path path) {
        return switch (split) {
            case "train" -> TRAIN_FILES;
            case "test" -> TEST_FILES;
            default -> throw new T2iException("CIFAR-10 has no split '" + split + "' (" + path + "): use train or test");
        };
    }

    /** Packs the chosen records in file order, honouring the limits. */
    private static CaptionedImages assemble(Path path, DatasetOptions options, List<byte[]> files, List<String> names,
                                            List<String> classNames) {
        int perClassLimit = options.limitPerClass() > 0 ? options.limitPerClass() : Integer.MAX_VALUE;
        int totalLimit = options.limit() > 0 ? options.limit() : Integer.MAX_VALUE;
        int[] perClass = new int[classNames.size()];
        List<Integer> chosenFile = new ArrayList<>();
        List<Integer> chosenRecord = new ArrayList<>();
        for (int fi = 0; fi < files.size() && chosenFile.size() < totalLimit; fi++) {
            byte[] data = files.get(fi);
            for (int r = 0; r < data.length / RECORD && chosenFile.size() < totalLimit; r++) {
                int label = data[r * RECORD] & 0xFF;
                if (label >= classNames.size()) {
                    throw new T2iException(path + ": record " + r + " of " + names.get(fi) + " has label " + label
                            + " but CIFAR-10 has " + classNames.size() + " classes: this is not a CIFAR-10 binary "
                            + "file; download cifar-10-binary.tar.gz again");
                }
                if (perClass[label] < perClassLimit) {
                    perClass[label]++;
                    chosenFile.add(fi);
                    chosenRecord.add(r);
                }
            }
        }
        int n = chosenFile.size();
        byte[] pixels = new byte[CaptionedImages.pixelBytes(path.toString(), n, SIDE, SIDE)];
        int[] labels = new int[n];
        List<String> classCaptions = Captions.photoOfEach(classNames);
        List<String> captions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] data = files.get(chosenFile.get(i));
            int offset = chosenRecord.get(i) * RECORD;
            labels[i] = data[offset] & 0xFF;
            System.arraycopy(data, offset + 1, pixels, i * PIXELS, PIXELS);
            captions.add(classCaptions.get(labels[i]));
        }
        return new CaptionedImages(path + " (" + options.split() + ")", SIDE, SIDE, pixels, captions, labels,
                classNames, List.of());
    }

    /** The folder that holds the batch files: {@code cifar-10-batches-bin/} if present, else the folder itself. */
    private static Path batchFolder(Path dir) {
        Path inner = dir.resolve(FOLDER);
        return Files.isDirectory(inner) ? inner : dir;
    }

    private static Map<String, byte[]> readFolder(Path dir, List<String> wanted) {
        Path batches = batchFolder(dir);
        Map<String, byte[]> contents = new HashMap<>();
        for (String name : wanted) {
            Path file = batches.resolve(name);
            if (!Files.isRegularFile(file)) {
                throw new T2iException(file + " is missing: the CIFAR-10 binary folder needs " + String.join(", ", wanted)
                        + "; download cifar-10-binary.tar.gz again and unpack it whole");
            }
            contents.put(name, readAll(file));
        }
        Path meta = batches.resolve(META);
        if (Files.isRegularFile(meta)) {
            contents.put(META, readAll(meta));
        }
        return contents;
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new T2iException("cannot read " + file + ": " + e.getMessage() + "; check its permissions", e);
        }
    }

    /** Streams the archive once, keeping the wanted batches and the class names (by file name). */
    private static Map<String, byte[]> readTarGz(Path archive, List<String> wanted) {
        Map<String, byte[]> contents = new HashMap<>();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
            TarReader tar = new TarReader(in);
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                String base = e.name().substring(e.name().lastIndexOf('/') + 1);
                if (e.isFile() && (wanted.contains(base) || base.equals(META))) {
                    contents.put(base, tar.readContent());
                }
            }
        } catch (ZipException e) {
            throw new T2iException(archive + " is not a gzip file (" + e.getMessage()
                    + "): give cifar-10-binary.tar.gz as downloaded, or the unpacked folder", e);
        } catch (IOException e) {
            throw new T2iException("cannot read " + archive + ": " + e.getMessage()
                    + "; download cifar-10-binary.tar.gz again, or give the unpacked folder", e);
        }
        for (String name : wanted) {
            if (!contents.containsKey(name)) {
                throw new T2iException(archive + " has no " + name + ": it is not the CIFAR-10 binary release "
                        + "(cifar-10-binary.tar.gz); download that one");
            }
        }
        return contents;
    }

    /** Class names from {@code batches.meta.txt}: one per line, blank lines ignored. */
    private static List<String> parseMeta(byte[] data, Path path) {
        List<String> names = new String(data, StandardCharsets.UTF_8).lines()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new T2iException(path + ": " + META + " lists no class names; restore it from the CIFAR-10 release "
                    + "or delete it to use the standard names");
        }
        return names;
    }
}
