/**
 * Data sets for training and evaluation, held in memory. {@link dev.t2i.data.CaptionedImages} is an
 * immutable set of equally sized RGB images, each with a caption and, where the source has
 * classes, a label, packed as 8-bit CHW bytes (the model's layout) so that CIFAR-10's 50,000
 * training images take 154 MB; {@link dev.t2i.data.Batch} is one training batch drawn from it.
 * {@link dev.t2i.data.EpochShuffler} makes every epoch's order and every step's random draws a
 * function of the seed, so a resumed run draws exactly the batches the uninterrupted one would
 * have. {@link dev.t2i.data.DatasetOptions} says how to load a set and
 * {@link dev.t2i.data.Captions} captions sets that only have class names. The readers are in
 * {@code dev.t2i.data.sources}, the built-in shapes in {@code dev.t2i.data.shapes}.
 *
 * <p>Uses: t2i-core's dev.t2i, dev.t2i.image and dev.t2i.random, and ND4J; not the model, trainer
 * or evaluation packages, so both the trainer and the judges can share it.
 */
package dev.t2i.data;
