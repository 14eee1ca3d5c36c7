package dev.t2i.data;

import java.util.List;

/** Caption templates for data sets that only have class names. */
public final class Captions {
    /** CIFAR-10's classes in label order (the order of the official binary files). */
    public static final List<String> CIFAR10_CLASSES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private Captions() {
    }

    /** "a photo of a cat", "a photo of an airplane"; underscores in class names become spaces. */
    public static String photoOf(String className) {
        return "a photo of " + withArticle(className.replace('_', ' '));
    }

    /**
     * The phrase with "a" or "an" in front, chosen by its first letter ("an orange circle",
     * "a red square"). Spelling decides, not sound, which is right for every class name here.
     */
    public static String withArticle(String phrase) {
        String p = phrase.strip();
        boolean vowel = !p.isEmpty() && "aeiou".indexOf(Character.toLowerCase(p.charAt(0))) >= 0;
        return (vowel ? "an " : "a ") + p;
    }

    /** Captions for every class, in label order. */
    public static List<String> photoOfEach(List<String> classNames) {
        return classNames.stream().map(Captions::photoOf).toList();
    }
}
