/**
 * The built-in captioned shapes data set, generated rather than downloaded so that the demo runs
 * offline in minutes: {@link dev.t2i.data.shapes.ShapesDataset} draws one filled
 * {@link dev.t2i.data.shapes.ShapeKind} in one {@link dev.t2i.data.shapes.ShapeColor} per image
 * with the {@link dev.t2i.data.shapes.ShapeRenderer}, captioned "a red circle". Three colour–shape
 * pairs ({@link dev.t2i.data.shapes.ShapePrompt}s) are held out of training to measure whether a
 * model composes colours and shapes it has only seen apart. Image i of a split depends only on
 * (seed, split, i, size), so the same arguments give the same bytes on any machine and thread
 * count.
 *
 * <p>Uses: dev.t2i.data, t2i-core's dev.t2i and dev.t2i.random, and the JDK; no ND4J, AWT or model
 * code.
 */
package dev.t2i.data.shapes;
