package dev.t2i;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this build of t2i, recorded in the files it writes (bundles, run provenance). */
public final class Version {
    private static final String CURRENT = read();

    private Version() {
    }

    /** The project version, e.g. {@code 0.1.0-SNAPSHOT}, or {@code dev} when built outside Maven. */
    public static String current() {
        return CURRENT;
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            // an unfiltered copy (IDE build) still holds the placeholder
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}
