/**
 * Not ND4J's code: a one-class shim, {@link org.nd4j.nativeblas.Nd4jCpu}, that switches
 * Deeplearning4j 1.0.0-M2.1's native layer helpers back on. DL4J finds its helpers by looking up
 * the class {@code org.nd4j.nativeblas.Nd4jCpu} by name and calling
 * {@code Environment.getInstance().isUseMKLDNN()} on it; ND4J M2.1 moved that class to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and renamed the method, so without a class
 * under the old name every convolution, batch norm and pooling layer falls back to DL4J's Java
 * path, about three times slower. That name is fixed by DL4J, which is why this class sits in
 * ND4J's package; it answers with the real environment's flag, read by reflection.
 *
 * <p>Only t2i-eval has this package, because only t2i-eval uses DL4J's layers (for
 * {@code dev.t2i.eval.ImageClassifier}); keeping it there leaves every other module's classpath
 * free of a class in a foreign package. No ND4J 1.0.0-M2.1 jar has a class of this name (the
 * package itself is shared with {@code nd4j-native-api}), so nothing of ND4J's is shadowed.
 *
 * <p>Uses: the JDK's reflection only; no dev.t2i package, and no compile-time link to ND4J, so it
 * also loads on the CUDA backend, whose classpath lacks the CPU bindings.
 */
package org.nd4j.nativeblas;
