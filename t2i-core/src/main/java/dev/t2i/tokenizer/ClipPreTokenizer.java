package dev.t2i.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits normalised text into the words that BPE encodes one by one. It scans for what the
 * Hugging Face CLIP pre-tokenizer's pattern
 * <pre>{@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}</pre>
 * matches (matches kept, everything else such as spaces dropped), trying the alternatives in that
 * order at each position as a backtracking regex engine does. It is written out rather than
 * compiled as a {@link java.util.regex.Pattern} so that letters and numbers follow
 * {@link UnicodeProperties} (Java 17's regex tables are older than Hugging Face's).
 *
 * <p>Hugging Face then applies GPT-2's byte-level pattern to each piece. That changes only the
 * literal text of a special token that was not recognised as one (for example
 * {@code <|ENDOFTEXT|>}, lower-cased by the normaliser): it becomes {@code <|}, the name, {@code |>}.
 * Every other piece is a letter run, one number, a contraction or a run of other symbols, which
 * GPT-2's pattern matches whole.
 */
final class ClipPreTokenizer {
    private static final String[] SPECIAL_LITERALS = {"<|startoftext|>", "<|endoftext|>"};
    private static final String[] CONTRACTIONS = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};

    private ClipPreTokenizer() {
    }

    /** The words of {@code normalized}, in order; never empty strings. */
    static List<String> words(String normalized) {
        List<String> words = new ArrayList<>();
        int length = normalized.length();
        int start = 0;
        while (start < length) {
            int cp = normalized.codePointAt(start);
            if (UnicodeProperties.isWhiteSpace(cp)) {
                start += Character.charCount(cp);
                continue;
            }
            String literal = cp == '<' ? prefixAmong(normalized, start, SPECIAL_LITERALS) : null;
            if (literal != null) {
                words.add("<|");
                words.add(literal.substring(2, literal.length() - 2));
                words.add("|>");
                start += literal.length();
                continue;
            }
            String contraction = cp == '\'' ? prefixAmong(normalized, start, CONTRACTIONS) : null;
            int end;
            if (contraction != null) {
                end = start + contraction.length();
            } else if (UnicodeProperties.isLetter(cp)) {
                end = endOfRun(normalized, start, true);
            } else if (UnicodeProperties.isNumber(cp)) {
                end = start + Character.charCount(cp);
            } else {
                end = endOfRun(normalized, start, false);
            }
            words.add(normalized.substring(start, end));
            start = end;
        }
        return words;
    }

    private static String prefixAmong(String text, int at, String[] candidates) {
        for (String candidate : candidates) {
            if (text.startsWith(candidate, at)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean isOtherSymbol(int cp) {
        return !UnicodeProperties.isWhiteSpace(cp) && !UnicodeProperties.isLetter(cp)
                && !UnicodeProperties.isNumber(cp);
    }

    /** End of a run of letters ({@code letters} true) or of symbols that are neither space, letter nor number. */
    private static int endOfRun(String text, int start, boolean letters) {
        int end = start;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            boolean member = letters ? UnicodeProperties.isLetter(cp) : isOtherSymbol(cp);
            if (!member) {
                break;
            }
            end += Character.charCount(cp);
        }
        return end;
    }
}
