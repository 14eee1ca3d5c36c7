package dev.t2i;

/**
 * User text (prompts, captions) made safe to put in a log line: control characters escaped, so
 * a prompt cannot start a forged line of its own, and cut to a bounded length, so a 60 KB prompt
 * does not put 60 KB into the log.
 */
public final class LogText {
    /** Characters kept before the text is cut. */
    public static final int MAX_CHARS = 60;

    private LogText() {
    }

    /** {@code text} escaped and, past {@value #MAX_CHARS} characters, cut with "...". */
    public static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 8);
        int kept = 0;
        for (int i = 0; i < text.length() && kept < MAX_CHARS; i++, kept++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (kept < text.length()) {
            sb.append("...");
        }
        return sb.toString();
    }
}
