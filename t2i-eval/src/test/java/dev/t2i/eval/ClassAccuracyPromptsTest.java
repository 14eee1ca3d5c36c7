package dev.t2i.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.t2i.T2iException;
import dev.t2i.data.Captions;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassAccuracyPromptsTest {
    @Test
    void theDefaultTemplateGivesTheDataSetsOwnCaptions() {
        // "a photo of a airplane" is not a caption CIFAR-10 training saw: a text-centring model drew noise for it
        assertEquals(Captions.photoOfEach(Captions.CIFAR10_CLASSES),
                ClassAccuracy.prompts(ClassAccuracy.DEFAULT_TEMPLATE, Captions.CIFAR10_CLASSES));
        assertEquals(List.of("a photo of an airplane", "a photo of a sea turtle"),
                ClassAccuracy.prompts(ClassAccuracy.DEFAULT_TEMPLATE, List.of("airplane", "sea_turtle")));
        assertEquals(List.of("airplane, a sketch"), ClassAccuracy.prompts("{}, a sketch", List.of("airplane")));
        assertThrows(T2iException.class, () -> ClassAccuracy.prompts("a photo", List.of("cat")));
    }
}
