package dev.t2i.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * The Unicode properties CLIP's tokenization depends on, as the Hugging Face tokenizers library
 * (Rust, Unicode 16) sees them: White_Space, letter ({@code \p{L}}), number ({@code \p{N}}) and
 * the full lower-case mapping.
 *
 * <p>Java 17's tables are Unicode 13. The code points assigned since then that are letters or
 * numbers, or have a lower-case mapping, are listed below; they apply only where the running JVM
 * reports a code point as unassigned, so a newer JVM's own tables take over without conflict.
 * The lists were found by running every code point through tokenizers 0.23.2's CLIP normaliser
 * and pre-tokenizer and keeping those on which Java 17 disagreed (all of them unassigned there).
 */
final class UnicodeProperties {
    private static final int CAPITAL_I_WITH_DOT = 0x130;

    private static final String LETTERS = ""
            + "870-887 889-88E 8B5 8C8-8C9 C5D CDD 170D 171F "
            + "1B4C 1C89-1C8A 2C2F 2C5F 9FFD-9FFF A7C0-A7C1 A7CB-A7CD A7D0-A7D1 "
            + "A7D3 A7D5-A7DC A7F2-A7F4 10570-1057A 1057C-1058A 1058C-10592 10594-10595 10597-105A1 "
            + "105A3-105B1 105B3-105B9 105BB-105BC 105C0-105F3 10780-10785 10787-107B0 107B2-107BA 10D4A-10D65 "
            + "10D6F-10D85 10EC2-10EC4 10F70-10F81 11071-11072 11075 1123F-11240 11380-11389 1138B "
            + "1138E 11390-113B5 113B7 113D1 113D3 11740-11746 11AB0-11ABF 11BC0-11BE0 "
            + "11F02 11F04-11F10 11F12-11F33 12F90-12FF0 1342F 13441-13446 13460-143FA 16100-1611D "
            + "16A70-16ABE 16D40-16D6C 18CFF 1AFF0-1AFF3 1AFF5-1AFFB 1AFFD-1AFFE 1B11F-1B122 1B132 "
            + "1B155 1DF00-1DF1E 1DF25-1DF2A 1E030-1E06D 1E290-1E2AD 1E4D0-1E4EB 1E5D0-1E5ED 1E5F0 "
            + "1E7E0-1E7E6 1E7E8-1E7EB 1E7ED-1E7EE 1E7F0-1E7FE 2A6DE-2A6DF 2B735-2B739 2EBF0-2EE5D 31350-323AF ";

    private static final String NUMBERS = ""
            + "10D40-10D49 116D0-116E3 11BF0-11BF9 11F50-11F59 16130-16139 16AC0-16AC9 16D70-16D79 1CCF0-1CCF9 "
            + "1D2C0-1D2D3 1E4F0-1E4F9 1E5F1-1E5FA ";

    private static final String LOWER_CASE = ""
            + "1C89>1C8A 2C2F>2C5F A7C0>A7C1 A7CB>264 A7CC>A7CD A7CE>A7CF A7D0>A7D1 A7D2>A7D3 "
            + "A7D4>A7D5 A7D6>A7D7 A7D8>A7D9 A7DA>A7DB A7DC>19B 10570>10597 10571>10598 10572>10599 "
            + "10573>1059A 10574>1059B 10575>1059C 10576>1059D 10577>1059E 10578>1059F 10579>105A0 1057A>105A1 "
            + "1057C>105A3 1057D>105A4 1057E>105A5 1057F>105A6 10580>105A7 10581>105A8 10582>105A9 10583>105AA "
            + "10584>105AB 10585>105AC 10586>105AD 10587>105AE 10588>105AF 10589>105B0 1058A>105B1 1058C>105B3 "
            + "1058D>105B4 1058E>105B5 1058F>105B6 10590>105B7 10591>105B8 10592>105B9 10594>105BB 10595>105BC "
            + "10D50>10D70 10D51>10D71 10D52>10D72 10D53>10D73 10D54>10D74 10D55>10D75 10D56>10D76 10D57>10D77 "
            + "10D58>10D78 10D59>10D79 10D5A>10D7A 10D5B>10D7B 10D5C>10D7C 10D5D>10D7D 10D5E>10D7E 10D5F>10D7F "
            + "10D60>10D80 10D61>10D81 10D62>10D82 10D63>10D83 10D64>10D84 10D65>10D85 16EA0>16EBB 16EA1>16EBC "
            + "16EA2>16EBD 16EA3>16EBE 16EA4>16EBF 16EA5>16EC0 16EA6>16EC1 16EA7>16EC2 16EA8>16EC3 16EA9>16EC4 "
            + "16EAA>16EC5 16EAB>16EC6 16EAC>16EC7 16EAD>16EC8 16EAE>16EC9 16EAF>16ECA 16EB0>16ECB 16EB1>16ECC "
            + "16EB2>16ECD 16EB3>16ECE 16EB4>16ECF 16EB5>16ED0 16EB6>16ED1 16EB7>16ED2 16EB8>16ED3 ";

    private static final RangeSet EXTRA_LETTERS = RangeSet.parse(LETTERS);
    private static final RangeSet EXTRA_NUMBERS = RangeSet.parse(NUMBERS);
    private static final Map<Integer, Integer> EXTRA_LOWER_CASE = parseMappings(LOWER_CASE);

    private UnicodeProperties() {
    }

    /**
     * The White_Space property, which is what {@code \s} means in the Oniguruma regexes the Hugging
     * Face normaliser and pre-tokenizer use. Written out because Java's
     * {@link Character#isWhitespace} is a different set; this one has been stable since Unicode 6.3.
     */
    static boolean isWhiteSpace(int cp) {
        if (cp < 0x80) {
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** General category L (any kind of letter). */
    static boolean isLetter(int cp) {
        if (cp < 0x80) {
            return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
        }
        int type = Character.getType(cp);
        return type == Character.UNASSIGNED ? EXTRA_LETTERS.contains(cp) : Character.isLetter(cp);
    }

    /** General category N (decimal digits, letter numbers such as Roman numerals, other numbers such as ½). */
    static boolean isNumber(int cp) {
        if (cp < 0x80) {
            return cp >= '0' && cp <= '9';
        }
        int type = Character.getType(cp);
        return switch (type) {
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> true;
            case Character.UNASSIGNED -> EXTRA_NUMBERS.contains(cp);
            default -> false;
        };
    }

    /**
     * Appends the full lower-case mapping of one code point, without context: U+0130 becomes two
     * code points, and a capital sigma always becomes σ (never the word-final ς that
     * {@link String#toLowerCase} would choose). That is Rust's {@code char::to_lowercase}.
     */
    static void appendLowerCase(StringBuilder out, int cp) {
        if (cp < 0x80) {
            out.append((char) (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
        } else if (cp == CAPITAL_I_WITH_DOT) {
            out.append('i').append('\u0307');
        } else if (Character.getType(cp) == Character.UNASSIGNED) {
            out.appendCodePoint(EXTRA_LOWER_CASE.getOrDefault(cp, cp));
        } else {
            out.appendCodePoint(Character.toLowerCase(cp));
        }
    }

    private static Map<Integer, Integer> parseMappings(String list) {
        Map<Integer, Integer> map = new HashMap<>();
        for (String pair : list.trim().split(" ")) {
            int arrow = pair.indexOf('>');
            map.put(Integer.parseInt(pair.substring(0, arrow), 16), Integer.parseInt(pair.substring(arrow + 1), 16));
        }
        return map;
    }

    /** Sorted, disjoint, inclusive code point ranges, searched by bisection. */
    private record RangeSet(int[] starts, int[] ends) {
        static RangeSet parse(String list) {
            String[] items = list.trim().split(" ");
            int[] starts = new int[items.length];
            int[] ends = new int[items.length];
            for (int i = 0; i < items.length; i++) {
                int dash = items[i].indexOf('-');
                starts[i] = Integer.parseInt(dash < 0 ? items[i] : items[i].substring(0, dash), 16);
                ends[i] = dash < 0 ? starts[i] : Integer.parseInt(items[i].substring(dash + 1), 16);
            }
            return new RangeSet(starts, ends);
        }

        boolean contains(int cp) {
            int lo = 0;
            int hi = starts.length - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (cp < starts[mid]) {
                    hi = mid - 1;
                } else if (cp > ends[mid]) {
                    lo = mid + 1;
                } else {
                    return true;
                }
            }
            return false;
        }
    }
}
