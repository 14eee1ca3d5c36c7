package dev.t2i;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find their data. Fixtures are committed under {@code src/test/resources/fixtures}
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

    private static final Path SHARED = Path.of("..", "shared");

    private TestData() {
    }

    /** A committed fixture, for example {@code fixture("clip/model")}. */
    public static Path fixture(String relative) {
        URL url = TestData.class.getResource("/fixtures/" + relative);
        if (url == null) {
            throw new IllegalStateException("test fixture fixtures/" + relative + " is not on the test classpath;"
                    + " it belongs in src/test/resources/fixtures (tools/make_test_fixtures.py writes it)");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
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

    /** Whether a missing {@code ../shared} file fails tests instead of skipping them. */
    public static boolean sharedRequired() {
        return isTrue(System.getProperty(REQUIRE_SHARED)) || isTrue(System.getenv("T2I_REQUIRE_SHARED"));
    }

    private static boolean isTrue(String value) {
        return value != null && value.strip().toLowerCase(Locale.ROOT).equals("true");
    }
}
