/**
 * Model and tensor files. {@link dev.t2i.io.Safetensors} reads and writes the safetensors format
 * (memory-mapped, header checked before any tensor is touched), {@link dev.t2i.io.ModelArchive}
 * is the project's own zip of named SameDiff graphs and JSON parts, and
 * {@link dev.t2i.io.AtomicFiles} writes through a temporary sibling and a rename so that an
 * interrupted write never leaves a torn file. Every file is validated here, before its bytes reach
 * native code, so a damaged file ends in a {@link dev.t2i.io.TensorFormatException}
 * (or a {@link dev.t2i.io.DiskFullException} on a full disk) instead of a crashed JVM.
 *
 * <p>Uses: dev.t2i, dev.t2i.runtime (to copy a graph read from an archive), ND4J and SameDiff
 * ({@code nd4j-api}, with its FlatBuffers graph format) and Jackson; nothing above the formats
 * layer.
 */
package dev.t2i.io;
