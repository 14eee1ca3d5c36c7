package dev.t2i.nn;

import java.io.OutputStream;
import java.io.PrintStream;
import org.nd4j.autodiff.samediff.SameDiff;

/** Helpers around SameDiff graphs. */
public final class Graphs {
    private Graphs() {
    }

    /**
     * Builds the backward graph once, up front. SameDiff 1.0.0-M2.1 prints a line per op to
     * standard output while doing so, which would bury the training log; it is muted here.
     */
    public static void prepareGradients(SameDiff sd) {
        if (sd.getFunction("grad") != null) {
            return;
        }
        PrintStream original = System.out;
        synchronized (System.class) {
            try {
                System.setOut(new PrintStream(OutputStream.nullOutputStream()));
                sd.createGradFunction();
            } finally {
                System.setOut(original);
            }
        }
    }
}
