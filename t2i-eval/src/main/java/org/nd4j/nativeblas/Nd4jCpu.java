package org.nd4j.nativeblas;

/**
 * A shim that switches Deeplearning4j 1.0.0-M2.1's native layer helpers back on; not part of
 * ND4J.
 *
 * <p>DL4J's {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up this class by name and calls
 * {@code getInstance().isUseMKLDNN()}, but ND4J M2.1 moved the class to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and renamed the method
 * {@code isUseONEDNN()}. Without this shim the look-up fails and every convolution, batch norm
 * and pooling layer falls back to DL4J's Java im2col path, about three times slower on the
 * classifier (dev.t2i.eval.ImageClassifier). It answers with the real environment's flag; the
 * helpers then run libnd4j's own conv2d, batchnorm and pooling ops (oneDNN where the native
 * build has it).
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The one method DL4J asks for. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        /** The instance DL4J reflects on. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether libnd4j's platform helpers are on (ND4J's {@code isUseONEDNN()}). */
        public boolean isUseMKLDNN() {
            // by reflection: the CPU backend's class is absent from the CUDA build's classpath
            try {
                Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object instance = env.getMethod("getInstance").invoke(null);
                return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                return false;
            }
        }
    }
}
