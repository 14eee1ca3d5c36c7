/**
 * Runs SameDiff graphs fast and with bounded memory. {@link dev.t2i.runtime.Graphs} evaluates
 * graphs and their gradients from plans made once per thread, whose intermediate arrays go back
 * to a {@link dev.t2i.runtime.RecyclingMemoryMgr} as soon as their last reader has run;
 * {@link dev.t2i.runtime.Workers} runs the shards of a batch side by side (data parallelism inside
 * one process); {@link dev.t2i.runtime.ShapeInfoCache} cuts what each new ND4J array costs,
 * {@link dev.t2i.runtime.NativeArrays} frees a loop's arrays as soon as it is done with them, and
 * {@link dev.t2i.runtime.OpProfile} says where a step's time goes.
 * The package exists because SameDiff 1.0.0-M2.1's own session redoes its bookkeeping on every
 * call and leaves intermediate arrays to the garbage collector; the results are the same op for op.
 *
 * <p>{@link dev.t2i.runtime.ProcessHousekeeping} (with {@link dev.t2i.runtime.JavaHeap} and
 * {@link dev.t2i.runtime.NativeHeap}) trims glibc's arenas, runs full collections and changes G1's
 * heap bounds: process-wide acts that library code never starts by itself, and that the command
 * line, or an application that owns its process, opts into.
 *
 * <p>Uses: dev.t2i, dev.t2i.platform, ND4J and SameDiff ({@code nd4j-api}), SLF4J and the JDK's
 * management beans; nothing above the runtime layer, so no file format, layer or model.
 */
package dev.t2i.runtime;
