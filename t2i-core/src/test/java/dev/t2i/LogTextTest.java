package dev.t2i;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void aPromptCannotForgeALogLineNorFillTheLog() {
        String forged = LogText.quote("a cat\n[main] ERROR t2i - disk full\r\u0007");
        assertFalse(forged.contains("\n") || forged.contains("\r") || forged.contains("\u0007"), forged);
        assertEquals("a cat\\n[main] ERROR t2i - disk full\\r\\u0007", forged);
        String huge = LogText.quote("x".repeat(60_000));
        assertEquals(LogText.MAX_CHARS + 3, huge.length());
        assertTrue(huge.endsWith("..."));
        assertEquals("a short prompt", LogText.quote("a short prompt"));
    }
}
