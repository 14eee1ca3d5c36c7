package dev.t2i.data.sources;

import dev.t2i.T2iException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The files of a folder or of a zip archive, named by '/'-separated paths relative to its root,
 * so the image-folder layout is parsed once for both.
 */
interface FileTree extends Closeable {
    /** Largest file read from a tree (an image or a manifest): 64 MiB. */
    int MAX_FILE_BYTES = 64 << 20;

    /** Relative paths of all regular files, '/'-separated, in no particular order. */
    List<String> files();

    /** The bytes of one file; safe to call from several threads at once. */
    byte[] read(String relativePath) throws IOException;

    /** A name for messages: the archive or folder path joined with the relative path. */
    String describe(String relativePath);

    @Override
    void close();

    /** Opens a folder or a .zip file. */
    static FileTree open(Path path) {
        return Files.isDirectory(path) ? new Folder(path) : new Zip(path);
    }

    /** A folder on disk. */
    final class Folder implements FileTree {
        private final Path root;

        Folder(Path root) {
            this.root = root;
        }

        @Override
        public List<String> files() {
            // the image layout is at most top/split/class/file deep
            try (Stream<Path> walk = Files.walk(root, 4)) {
                List<String> files = new ArrayList<>();
                walk.filter(Files::isRegularFile).forEach(p -> {
                    Path rel = root.relativize(p);
                    files.add(rel.toString().replace(rel.getFileSystem().getSeparator(), "/"));
                });
                return files;
            } catch (IOException | UncheckedIOException e) {
                throw new T2iException("cannot list " + root + ": " + e.getMessage() + "; check the folder's permissions", e);
            }
        }

        @Override
        public byte[] read(String relativePath) throws IOException {
            Path file = root.resolve(relativePath);
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IOException("its size, " + Files.size(file) + " bytes, is over the " + MAX_FILE_BYTES
                        + " bytes an image or manifest may have");
            }
            return Files.readAllBytes(file);
        }

        @Override
        public String describe(String relativePath) {
            return root.resolve(relativePath).toString();
        }

        @Override
        public void close() {
        }
    }

    /** A zip archive, read with random access so entries can be decoded in parallel. */
    final class Zip implements FileTree {
        private final Path path;
        private final ZipFile zip;

        Zip(Path path) {
            this.path = path;
            try {
                this.zip = new ZipFile(path.toFile());
            } catch (ZipException e) {
                throw new T2iException(path + " is not a readable zip archive (" + e.getMessage()
                        + "): re-create it with a zip tool, or unpack it and give the folder", e);
            } catch (IOException e) {
                throw new T2iException("cannot open " + path + ": " + e.getMessage() + "; check the file's permissions", e);
            }
        }

        @Override
        public List<String> files() {
            List<String> files = new ArrayList<>();
            zip.stream().filter(e -> !e.isDirectory()).forEach(e -> files.add(e.getName()));
            return files;
        }

        @Override
        public byte[] read(String relativePath) throws IOException {
            ZipEntry entry = zip.getEntry(relativePath);
            if (entry == null) {
                throw new IOException("no entry " + relativePath);
            }
            // a small zip can declare (or inflate to) gigabytes: read at most the limit and refuse more
            if (entry.getSize() > MAX_FILE_BYTES) {
                throw new IOException("its size, " + entry.getSize() + " bytes, is over the " + MAX_FILE_BYTES
                        + " bytes an image or manifest may have");
            }
            // ZipFile serialises access to the archive internally, so this is thread-safe
            try (InputStream in = zip.getInputStream(entry)) {
                byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
                if (bytes.length > MAX_FILE_BYTES) {
                    throw new IOException("it inflates to more than the " + MAX_FILE_BYTES
                            + " bytes an image or manifest may have");
                }
                return bytes;
            }
        }

        @Override
        public String describe(String relativePath) {
            return path + "!/" + relativePath;
        }

        @Override
        public void close() {
            try {
                zip.close();
            } catch (IOException ignored) {
                // nothing was written; a failed close loses nothing
            }
        }
    }
}
