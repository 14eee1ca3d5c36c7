/**
 * Imports PyTorch and Hugging Face weights: {@link dev.t2i.io.torch.TorchImport} reads a graph's
 * parameters out of a state dict (a safetensors file), matching every name and shape against the
 * graph's {@link dev.t2i.nn.ParamSpec}s and converting the layouts that differ (Linear weights
 * are [out, in] in PyTorch and [in, out] in the graph). It lives apart from {@code dev.t2i.io}
 * because it needs the layers' parameter specs, which the file formats below them must not know.
 *
 * <p>Uses: dev.t2i.io, dev.t2i.nn and ND4J; part of the layers layer, so nothing from the models
 * (clip, dit) or above.
 */
package dev.t2i.io.torch;
