package dev.t2i.config;

import dev.t2i.T2iException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the durations of presets and options: {@code 90s}, {@code 55m}, {@code 1.5h}; a bare number is minutes. */
public final class Durations {
    private static final Pattern FORM = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([smh]?)\\s*");

    private Durations() {
    }

    /** Seconds of {@code text}; {@code field} names the setting in the error message. */
    public static double seconds(String text, String field) {
        Matcher m = FORM.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new T2iException("invalid " + field + " '" + text + "' (expected a duration such as 55m, 1h or 90s)");
        }
        double value = Double.parseDouble(m.group(1));
        double seconds = switch (m.group(2)) {
            case "s" -> value;
            case "h" -> value * 3600;
            default -> value * 60;
        };
        if (seconds <= 0) {
            throw new T2iException("invalid " + field + " '" + text + "' (must be longer than zero)");
        }
        return seconds;
    }
}
