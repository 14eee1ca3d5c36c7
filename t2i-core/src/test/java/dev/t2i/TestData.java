package dev.t2i;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find their data. Fixtures are committed under {@code t2i-core/src/test/resources/fixtures}
 * (made by {@code tools/make_test_fixtures.py}) and are always there; {@code ../shared} (the real
 * CLIP vocabulary, the CIFAR-10 zip, the reference implementations' tiny models) exists only on
 * CI and development machines. A test that needs a {@code ../shared} file skips without it,
 * saying which file is missing, unless the system property {@value #REQUIRE_SHARED} (or the
 * environment variable {@code T2I_REQUIRE_SHARED}) is {@code true}, as {@code .ci/run} sets it:
 * then the missing file fails the test, so a broken path cannot leave CI silently green.
 */
public final class TestData {
    /** System property that turns a missing {@code ../shared} file into a test failure. */
    public static final String REQUIRE_SHARED = "t2i.requireShared";

    /** System property holding the repository's root folder (Maven sets it; tests run in module folders). */
    public static final String REPOSITORY = "t2i.repository";

    private static final Path SHARED = repository().resolve("..").resolve("shared").normalize();

    private TestData() {
    }

    /** A committed fixture, for example {@code fixture("clip/model")}. */
    public static Path fixture(String relative) {
        URL url = TestData.class.getResource("/fixtures/" + relative);
        if (url == null) {
            throw new IllegalStateException("test fixture fixtures/" + relative + " is not on the test classpath;"
                    + " it belongs in t2i-core/src/test/resources/fixtures (tools/make_test_fixtures.py writes it)");
        }
        try {
            if (!"jar".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            return FROM_JAR.computeIfAbsent(relative, r -> unpack(url));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
        }
    }

    /** Fixtures read from t2i-core's test jar (another module's tests, built without the reactor), unpacked once. */
    private static final Map<String, Path> FROM_JAR = new ConcurrentHashMap<>();

    private static Path unpack(URL url) {
        try {
            URI uri = url.toURI();
            Path target = Files.createTempDirectory("t2i-fixture");
            target.toFile().deleteOnExit();
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                Path root = jar.provider().getPath(uri);
                Path dest = target.resolve(root.getFileName().toString());
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Path out = dest.resolve(root.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(out);
                        } else {
                            Files.createDirectories(out.getParent());
                            Files.copy(p, out, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
                return dest;
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot unpack the test fixture " + url, e);
        }
    }

    /**
     * A file or folder under {@code ../shared}. When it is absent the calling test is skipped
     * (aborted) with a message naming it, or fails if {@link #sharedRequired()}.
     */
    public static Path shared(String relative) {
        Path path = SHARED.resolve(relative);
        if (!Files.exists(path)) {
            String message = "needs ../shared/" + relative + " (" + path.toAbsolutePath().normalize()
                    + "), which is not part of the repository; CI and development machines have it";
            if (sharedRequired()) {
                fail(message + "; it is required here (" + REQUIRE_SHARED + "=true)");
            }
            Assumptions.abort(message);
        }
        return path;
    }

    /**
     * The repository's root folder: {@value #REPOSITORY} where Maven set it, else the nearest
     * folder up from the working directory that holds the {@code t2i-core} module.
     */
    public static Path repository() {
        String set = System.getProperty(REPOSITORY);
        if (set != null && !set.isBlank() && Files.isDirectory(Path.of(set, "t2i-core"))) {
            return Path.of(set).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("t2i-core"))) {
                return p;
            }
        }
        throw new IllegalStateException("the tests run outside the t2i repository (no t2i-core folder above "
                + Path.of("").toAbsolutePath() + "); set -D" + REPOSITORY + "=<the repository's folder>");
    }

    /** Whether a missing {@code ../shared} file fails tests instead of skipping them. */
    public static boolean sharedRequired() {
        return isTrue(System.getProperty(REQUIRE_SHARED)) || isTrue(System.getenv("T2I_REQUIRE_SHARED"));
    }

    private static boolean isTrue(String value) {
        return value != null && value.strip().toLowerCase(Locale.ROOT).equals("true");
    }
}
