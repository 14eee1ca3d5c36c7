package dev.t2i.sampling;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.t2i.T2iException;
import dev.t2i.runtime.NativeArrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ODE integrators from t = 1 (noise) down to t = 0 (data) over N uniform steps. */
public enum Sampler {
    /** x ← x - dt·v(x, t): the reference sampler, one model call per step. */
    EULER,
    /** Heun's second-order method: Euler predictor, trapezoidal corrector; two calls per step. */
    HEUN;

    /** The name in config files, metadata and on the command line. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return id();
    }

    /** Parses {@code euler} or {@code heun} (any case). */
    @JsonCreator
    public static Sampler parse(String name) {
        try {
            return valueOf(String.valueOf(name).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new T2iException("unknown sampler '" + name + "' (use euler or heun)");
        }
    }

    /** Integrates {@code field} from {@code x1} at t = 1 to t = 0; {@code x1} is left unchanged. */
    public INDArray integrate(VelocityField field, INDArray x1, int steps) {
        return integrate(field, x1, 1.0, steps, StepMonitor.NONE);
    }

    /**
     * Integrates {@code field} from {@code start} at time {@code from} (1 for text-to-image, the
     * strength for image-to-image) down to t = 0 in {@code steps} uniform steps; {@code start} is
     * left unchanged. {@code monitor} sees every step and may stop the integration by throwing
     * {@link java.util.concurrent.CancellationException}.
     */
    public INDArray integrate(VelocityField field, INDArray start, double from, int steps, StepMonitor monitor) {
        if (steps < 1) {
            throw new T2iException("sampling steps must be at least 1, got " + steps);
        }
        if (!(from > 0 && from <= 1)) {
            throw new T2iException("integration must start at a time in (0, 1], got " + from);
        }
        // written as from/steps (not from·(1/steps)) so that from = 1 gives the same times as before
        double dt = from / steps;
        INDArray x = start.dup();
        try {
            for (int i = 0; i < steps; i++) {
                double t = from - i * dt;
                INDArray v = field.velocity(x, t);
                try {
                    monitor.onStep(i + 1, steps, t, x, v);
                } catch (RuntimeException e) {
                    NativeArrays.closeAll(List.of(v));
                    throw e;
                }
                if (this == EULER) {
                    x.subi(v.muli(dt));
                    NativeArrays.closeAll(List.of(v));
                } else {
                    INDArray predicted = v.mul(-dt).addi(x);
                    INDArray v2 = field.velocity(predicted, t - dt);
                    x.subi(v.addi(v2).muli(dt / 2));
                    NativeArrays.closeAll(List.of(v, v2, predicted));
                }
            }
        } catch (RuntimeException e) {
            NativeArrays.closeAll(List.of(x));
            throw e;
        }
        return x;
    }
}
