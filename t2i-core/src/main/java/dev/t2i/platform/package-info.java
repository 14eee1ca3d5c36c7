/**
 * Where t2i meets the machine and ND4J's native code. {@link dev.t2i.platform.Backend} holds ND4J's
 * process-wide settings (threads per op, BLAS threads), {@link dev.t2i.platform.CoreSplit} shares a
 * machine's cores between batch shards and op threads, {@link dev.t2i.platform.NativeBuild} picks
 * the fastest of ND4J's CPU native builds before ND4J loads, and {@link dev.t2i.platform.CudaCheck}
 * refuses, with a one-line reason, a GPU that ND4J's CUDA build has no kernels for. These settings
 * belong to the whole process, so library code only reads them (and runs the GPU check); changing
 * them is left to the program that owns the process, such as the command line's {@code Main}.
 *
 * <p>Uses: dev.t2i and ND4J ({@code nd4j-api}, and {@code nd4j-native-api} for the native ops);
 * part of t2i-core's bottom layer, so no other dev.t2i package.
 */
package dev.t2i.platform;
