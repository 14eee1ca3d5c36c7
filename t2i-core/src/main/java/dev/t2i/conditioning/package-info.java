/**
 * Turns what a batch is conditioned on into the DiT's inputs. A
 * {@link dev.t2i.conditioning.Conditioner} makes the {@link dev.t2i.conditioning.Conditioning} of a
 * batch and its null condition, which classifier-free guidance and condition dropout in training
 * both need: {@link dev.t2i.conditioning.TextConditioner} runs captions through the frozen CLIP
 * text tower and caches each distinct caption, {@link dev.t2i.conditioning.ClassConditioner} takes
 * class labels, and {@link dev.t2i.conditioning.Unconditioned} adds nothing. The trainer and the
 * samplers both go through this one interface, so each variant of the model is conditioned the same
 * way in both. {@link dev.t2i.conditioning.TrainingCaptions} holds the captions a text model was
 * trained on and tells which prompts a model with an untrained text tower may not follow.
 *
 * <p>Uses: dev.t2i.clip, dev.t2i.runtime, ND4J and SLF4J; nothing above the conditioning layer (no
 * sampling, config or bundle).
 */
package dev.t2i.conditioning;
