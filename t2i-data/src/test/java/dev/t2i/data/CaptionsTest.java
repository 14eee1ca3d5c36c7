package dev.t2i.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CaptionsTest {
    @Test
    void usesAnBeforeAVowel() {
        assertEquals("a photo of an airplane", Captions.photoOf("airplane"));
        assertEquals("a photo of an automobile", Captions.photoOf("automobile"));
        assertEquals("a photo of a truck", Captions.photoOf("truck"));
        assertEquals("a photo of a sports car", Captions.photoOf("sports_car"));
        assertEquals("an orange circle", Captions.withArticle("orange circle"));
        assertEquals("an Ox", Captions.withArticle("Ox"));
    }
}
