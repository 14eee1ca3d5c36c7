package dev.t2i.tokenizer;

/**
 * GPT-2's reversible map from the 256 byte values to printable code points. Byte-level BPE
 * vocabularies (CLIP's included) spell their tokens in these characters, so that a token never
 * contains whitespace or control characters.
 */
final class ByteLevelAlphabet {
    /** Bytes in the order OpenAI's {@code bytes_to_unicode()} lists them; its vocabulary starts so. */
    private static final int[] TABLE_ORDER = new int[256];
    private static final char[] CHAR_OF_BYTE = new char[256];

    static {
        int next = 0;
        boolean[] printable = new boolean[256];
        // These three ranges print as themselves; every other byte is shifted past U+00FF.
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable[b]) {
                TABLE_ORDER[next++] = b;
                CHAR_OF_BYTE[b] = (char) b;
            }
        }
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                TABLE_ORDER[next++] = b;
                CHAR_OF_BYTE[b] = (char) (256 + shifted++);
            }
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The character that stands for byte {@code b} (0..255). */
    static char charOf(int b) {
        return CHAR_OF_BYTE[b];
    }

    /** The byte at position {@code i} (0..255) of OpenAI's table order. */
    static int byteInTableOrder(int i) {
        return TABLE_ORDER[i];
    }
}
