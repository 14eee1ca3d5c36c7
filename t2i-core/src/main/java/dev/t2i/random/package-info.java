/**
 * Seeded random draws that come out the same on every backend and in every order.
 * {@link dev.t2i.random.Gaussian} gives normal draws from a seeded Java stream, for initial
 * weights, training noise and sampling noise; {@link dev.t2i.random.Seeds} derives independent
 * seeds from a base seed and counters (epoch, step, image index), so that any item of a seeded
 * stream can be reproduced on its own, on any thread; {@link dev.t2i.random.Subsets} draws
 * random subsets (the tokens a training step keeps, KID's subsets). The draws are made in Java
 * rather than by ND4J so that one seed gives the same numbers on a CPU and a GPU backend.
 *
 * <p>Uses: the JDK only; part of t2i-core's bottom layer, so no other dev.t2i package.
 */
package dev.t2i.random;
