package dev.t2i.sampling;

import dev.t2i.T2iException;
import dev.t2i.nn.NativeArrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ODE integrators from t = 1 (noise) down to t = 0 (data) over N uniform steps. */
public enum Sampler {
    /** x ← x - dt·v(x, t): the reference sampler, one model call per step. */
    EULER,
    /** Heun's second-order method: Euler predictor, trapezoidal corrector; two calls per step. */
    HEUN;

    /** Parses {@code euler} or {@code heun}. */
    public static Sampler parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new T2iException("unknown sampler '" + name + "' (use euler or heun)");
        }
    }

    /** Integrates {@code field} from {@code x1} at t = 1 to t = 0; {@code x1} is left unchanged. */
    public INDArray integrate(VelocityField field, INDArray x1, int steps) {
        if (steps < 1) {
            throw new T2iException("sampling steps must be at least 1, got " + steps);
        }
        double dt = 1.0 / steps;
        INDArray x = x1.dup();
        for (int i = 0; i < steps; i++) {
            double t = 1.0 - i * dt;
            INDArray v = field.velocity(x, t);
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
        return x;
    }
}
