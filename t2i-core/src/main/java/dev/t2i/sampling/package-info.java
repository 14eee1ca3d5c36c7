/**
 * Sampling: prompts (or class labels) in, images out. {@link dev.t2i.sampling.ImageGenerator} draws
 * the initial noise from the seed (image k of a request from seed + k alone, so an image never
 * depends on how requests were batched), integrates the {@link dev.t2i.sampling.GuidedVelocity}
 * (classifier-free guidance, conditional and unconditional passes in one batch, at the times of a
 * {@link dev.t2i.sampling.GuidanceInterval}) with a
 * {@link dev.t2i.sampling.Sampler}, and also starts from an initial image (image-to-image).
 * {@link dev.t2i.sampling.SamplingOptions} holds steps, guidance scale and interval, seed and sampler,
 * {@link dev.t2i.sampling.StepMonitor} watches each step for progress, previews and cancellation,
 * and {@link dev.t2i.sampling.SampleGrids} lays samples out in captioned sheets.
 *
 * <p>Uses: dev.t2i, dev.t2i.conditioning, dev.t2i.dit, dev.t2i.flow, dev.t2i.image,
 * dev.t2i.runtime, ND4J and Jackson (for sampler names and guidance intervals); nothing above the sampling layer (no
 * config, bundle or api).
 */
package dev.t2i.sampling;
