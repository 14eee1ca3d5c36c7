package dev.t2i.conditioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainingCaptionsTest {
    private static final List<String> CIFAR = List.of("a photo of an airplane", "a photo of an automobile",
            "a photo of a bird", "a photo of a cat", "a photo of a deer", "a photo of a dog", "a photo of a frog",
            "a photo of a horse", "a photo of a ship", "a photo of a truck");

    @Test
    void promptsAreComparedAsTheTokenizerReadsThem() {
        TrainingCaptions c = TrainingCaptions.of(CIFAR, true);
        assertTrue(c.contains("a photo of a dog"));
        assertTrue(c.contains("  A Photo of\ta  DOG \n"), "case and white space do not matter");
        assertFalse(c.contains("a photo of a dogs"));
        assertFalse(c.contains("a dog"));
        assertFalse(c.contains(null));
    }

    @Test
    void theNearestCaptionIsTheFewestEditsAway() {
        TrainingCaptions c = TrainingCaptions.of(CIFAR, true);
        assertEquals("a photo of an airplane", c.nearest("a photo of a airplane").orElseThrow());
        assertEquals("a photo of a dog", c.nearest("a photo of a dogs").orElseThrow());
        assertEquals("a photo of a cat", c.nearest("A PHOTO OF A CAT").orElseThrow());
        assertTrue(TrainingCaptions.of(null, true).nearest("a dog").isEmpty(), "captions not recorded");
    }

    @Test
    void onlyAnUntrainedTextEncoderWithKnownCaptionsWarns() {
        String w = TrainingCaptions.of(CIFAR, true).warning("a photo of a airplane").orElseThrow();
        assertTrue(w.contains("'a photo of a airplane' is not one of the 10 captions"), w);
        assertTrue(w.contains("untrained") && w.contains("nearest caption is 'a photo of an airplane'"), w);
        assertTrue(TrainingCaptions.of(CIFAR, true).warning("a photo of a ship").isEmpty(), "a training caption");
        assertTrue(TrainingCaptions.of(CIFAR, false).warning("a dog").isEmpty(), "a trained encoder reads any prompt");
        assertTrue(TrainingCaptions.of(null, true).warning("a dog").isEmpty(), "captions not recorded");
        assertTrue(TrainingCaptions.of(List.of(), true).warning("a dog").isEmpty());
    }

    @Test
    void aWarningQuotesALongOrMultiLinePromptSafely() {
        String prompt = "a dog\nwarning: forged line " + "x".repeat(500);
        String w = TrainingCaptions.of(CIFAR, true).warning(prompt).orElseThrow();
        assertFalse(w.contains("\n"), w);
        assertTrue(w.length() < 400, w.length() + " characters");
    }

    @Test
    void aRunRecordsItsDistinctCaptionsUnlessThereAreTooMany() {
        List<String> data = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            data.addAll(CIFAR);
        }
        assertEquals(CIFAR, TrainingCaptions.toRecord(data), "distinct, in the data's order");
        List<String> many = IntStream.range(0, TrainingCaptions.MAX_RECORDED + 1).mapToObj(i -> "caption " + i).toList();
        assertNull(TrainingCaptions.toRecord(many), "open-vocabulary data");
        assertEquals(TrainingCaptions.MAX_RECORDED, TrainingCaptions.toRecord(many.subList(0, TrainingCaptions.MAX_RECORDED)).size());
        assertNull(TrainingCaptions.toRecord(List.of()));
    }

    @Test
    void editDistanceIsLevenshteinsCutAtItsBound() {
        assertEquals(3, TrainingCaptions.editDistance("kitten", "sitting", Integer.MAX_VALUE));
        assertEquals(0, TrainingCaptions.editDistance("same", "same", Integer.MAX_VALUE));
        assertEquals(4, TrainingCaptions.editDistance("", "four", Integer.MAX_VALUE));
        assertEquals(2, TrainingCaptions.editDistance("kitten", "sitting", 2), "stops once the bound is reached");
        assertEquals(5, TrainingCaptions.editDistance("a", "abcdefghij", 5), "lengths alone reach the bound");
    }
}
