/**
 * The embedding API: load a one-file bundle written by {@code t2i bundle} with
 * {@link dev.t2i.api.T2iModel#load(java.nio.file.Path)}, describe the images with a
 * {@link dev.t2i.api.GenerationRequest}, and get {@link dev.t2i.api.GenerationResult}s holding
 * {@code BufferedImage}s and PNG bytes. A model is safe to share between threads; concurrent
 * requests are batched on one worker thread. Every PNG carries its
 * {@link dev.t2i.api.GenerationParameters}; requests may start from an initial image
 * (image-to-image), report progress to a {@link dev.t2i.api.ProgressListener} and be cancelled
 * through their future. This package does not depend on the command line.
 *
 * <p>Uses: dev.t2i, dev.t2i.platform (the GPU check), dev.t2i.image, dev.t2i.clip, dev.t2i.dit,
 * dev.t2i.conditioning, dev.t2i.sampling, dev.t2i.bundle, ND4J, Jackson and the JDK's
 * {@code BufferedImage}. It is the top layer of t2i-core, used by nothing inside the module, and
 * it sets nothing process-wide: the application picks the ND4J backend and owns the JVM's
 * settings.
 */
package dev.t2i.api;
