/**
 * The DiT family, the model that turns noise into images: {@link dev.t2i.dit.DitConfig} describes
 * an architecture (text-conditional, class-conditional or unconditional),
 * {@link dev.t2i.dit.DitGraph} builds it as one SameDiff graph under the reference implementation's
 * parameter names, and {@link dev.t2i.dit.DitNetwork} holds the graph with its weights and runs
 * the forward pass. {@link dev.t2i.dit.DitFiles} reads and writes a DiT in this project's files,
 * {@link dev.t2i.dit.ReferenceCheckpoint} reads the PyTorch reference's, and
 * {@link dev.t2i.dit.TextContext} stores each distinct text of a batch once. The training loss is
 * not part of the model; {@code dev.t2i.flow} attaches it.
 *
 * <p>Uses: dev.t2i, dev.t2i.io, dev.t2i.io.torch, dev.t2i.nn, dev.t2i.runtime, ND4J and SameDiff,
 * and Jackson; nothing above the models layer, so it knows neither CLIP nor the sampler.
 */
package dev.t2i.dit;
