package dev.t2i.tokenizer;

import java.text.Normalizer;

/**
 * CLIP's text normalisation as the Hugging Face tokenizer does it: Unicode NFC, every run of
 * whitespace to one space, then lower case one code point at a time.
 *
 * <p>Leading and trailing spaces are kept (Hugging Face keeps them too); the pre-tokenizer drops
 * every space anyway, so stripping would change nothing.
 */
final class ClipTextNormalizer {

    private ClipTextNormalizer() {
    }

    static String normalize(String text) {
        String composed = isAscii(text) ? text : Normalizer.normalize(text, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(composed.length());
        boolean afterSpace = false;
        for (int i = 0; i < composed.length(); ) {
            int cp = composed.codePointAt(i);
            i += Character.charCount(cp);
            if (UnicodeProperties.isWhiteSpace(cp)) {
                if (!afterSpace) {
                    out.append(' ');
                }
                afterSpace = true;
            } else {
                afterSpace = false;
                UnicodeProperties.appendLowerCase(out, cp);
            }
        }
        return out.toString();
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
