/**
 * The one-file model that {@code t2i bundle} writes and applications load: a text-conditional DiT,
 * the CLIP text encoder with its tokenizer, their configs and the default sampling settings, in a
 * {@link dev.t2i.io.ModelArchive} whose first part is a {@link dev.t2i.bundle.BundleManifest}.
 * {@link dev.t2i.bundle.Bundle} reads and writes it, checking the format version and every part's
 * SHA-256 before any bytes reach SameDiff, so that a damaged file is reported, never handed to
 * native code.
 *
 * <p>Uses: dev.t2i, dev.t2i.io, dev.t2i.clip, dev.t2i.dit, dev.t2i.conditioning, dev.t2i.sampling,
 * dev.t2i.config and Jackson; nothing above the bundle layer, so only the api package uses it.
 */
package dev.t2i.bundle;
