/**
 * The building blocks that the CLIP text encoder and the DiT share, as SameDiff graph pieces:
 * {@link dev.t2i.nn.Linear}, {@link dev.t2i.nn.LayerNorm}, {@link dev.t2i.nn.Mlp},
 * {@link dev.t2i.nn.Attention}, {@link dev.t2i.nn.Activations} and {@link dev.t2i.nn.SinCos}
 * embeddings. {@link dev.t2i.nn.ParamScope} creates each graph's variables under PyTorch's
 * state-dict names, seeds their initial values, and records a {@link dev.t2i.nn.ParamSpec} for
 * each, so checkpoints can be imported and counted without knowing the model's structure. The
 * layers are written from primitives where ND4J 1.0.0-M2.1's fused ops differ from PyTorch (layer
 * norm's epsilon) or have slow gradients ({@link dev.t2i.nn.Broadcasts}); one implementation of
 * each keeps those choices in one place.
 *
 * <p>Uses: dev.t2i.random and SameDiff ({@code nd4j-api}); no model, file format or anything
 * above the layers layer.
 */
package dev.t2i.nn;
