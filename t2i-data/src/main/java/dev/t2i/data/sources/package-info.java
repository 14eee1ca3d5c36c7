/**
 * Reads data sets from disk into {@link dev.t2i.data.CaptionedImages}.
 * {@link dev.t2i.data.sources.DatasetLoader} chooses the reader from what a user's spec names: the
 * built-in {@code shapes}, CIFAR-10's binary release (folder or {@code .tar.gz}), a
 * class-per-folder image collection (folder or {@code .zip}), or a JSON Lines manifest of captioned
 * images. {@link dev.t2i.data.sources.DatasetPreview} writes a captioned grid of what a loader
 * read, to check it by eye. The archives are read with the JDK alone (a small tar reader over the
 * JDK's gzip, and its zip) so that the data module needs no compression library.
 *
 * <p>Uses: dev.t2i.data, dev.t2i.data.shapes, t2i-core's dev.t2i and dev.t2i.image, Jackson, SLF4J
 * and the JDK's ImageIO; nothing from the model, trainer or evaluation packages.
 */
package dev.t2i.data.sources;
