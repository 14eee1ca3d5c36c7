/**
 * Judges of generated images that never see the DiT, so that a score measures the images and not
 * the model's own view of them. {@link dev.t2i.eval.ImageClassifier} is a small convolutional
 * classifier built with Deeplearning4j and trained on CIFAR-10 (or any labelled set);
 * {@link dev.t2i.eval.ClassAccuracy} uses it to say how often a model draws the class its prompt
 * asked for. {@link dev.t2i.eval.ShapeDetector} names the colour and shape in an image of the
 * built-in shapes without any learned model, as a {@link dev.t2i.eval.Detection}, and
 * {@link dev.t2i.eval.AdherenceScore} turns that into prompt adherence for the pairs seen in
 * training and the held-out ones. {@link dev.t2i.eval.FrechetDistance} and
 * {@link dev.t2i.eval.KernelInceptionDistance} compare two sets of images as distributions, in the
 * classifier's penultimate features ({@link dev.t2i.eval.ImageClassifier#features}), and
 * {@link dev.t2i.eval.PromptSensitivity} says how much the samples change with the class prompt
 * against how much they change with the seed. DL4J's native layer helpers are a process-wide system property,
 * so the classifier never sets it;
 * {@link dev.t2i.eval.ImageClassifier#useNativeHelpersWherePaying()} is for the command line or an
 * application that owns its process.
 *
 * <p>Uses: t2i-core (dev.t2i, dev.t2i.platform, dev.t2i.io, dev.t2i.image, dev.t2i.sampling),
 * t2i-data's dev.t2i.data and dev.t2i.data.shapes, ND4J, and Deeplearning4j's layers
 * ({@code deeplearning4j-nn}), which no other module may use; not the trainer, server or command
 * line.
 */
package dev.t2i.eval;
