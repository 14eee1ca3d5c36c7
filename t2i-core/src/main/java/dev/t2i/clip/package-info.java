/**
 * CLIP's frozen text tower in SameDiff: prompts in, token embeddings (what the DiT attends to) and
 * a pooled embedding out, as a {@link dev.t2i.clip.ClipOutput}.
 * {@link dev.t2i.clip.ClipTextEncoder} loads it from a Hugging Face CLIP folder or the project's
 * converted single file, or builds it with seeded random weights of the real shapes for machines
 * without the real weights; {@link dev.t2i.clip.ClipTextGraph} builds the graph under Hugging
 * Face's parameter names and {@link dev.t2i.clip.ClipTextConfig} reads its {@code config.json}.
 *
 * <p>Uses: dev.t2i, dev.t2i.tokenizer, dev.t2i.io, dev.t2i.io.torch, dev.t2i.nn, dev.t2i.runtime,
 * ND4J and SameDiff, Jackson and SLF4J; nothing above the models layer (no conditioning, sampling
 * or bundle).
 */
package dev.t2i.clip;
