/**
 * Images and figures in Java2D. {@link dev.t2i.image.Images} converts between the model's CHW
 * tensors in [-1, 1] and {@code BufferedImage}s; {@link dev.t2i.image.PngText} writes and reads
 * PNG text chunks, which carry every generated image's parameters; {@link dev.t2i.image.ImageGrid},
 * {@link dev.t2i.image.Heatmap}, {@link dev.t2i.image.LinePlot} and
 * {@link dev.t2i.image.AttentionFigure} draw sample sheets, similarity matrices, loss curves and
 * attention maps. Layouts depend only on their arguments, never on the fonts, so tests check
 * figure sizes without rendering text. This package never sets {@code java.awt.headless}: AWT
 * settings belong to the program that owns the process (the command line's {@code Main} sets it).
 *
 * <p>Uses: dev.t2i.io (atomic file writes), ND4J, SLF4J and the JDK's AWT and ImageIO; nothing
 * above the formats layer.
 */
package dev.t2i.image;
