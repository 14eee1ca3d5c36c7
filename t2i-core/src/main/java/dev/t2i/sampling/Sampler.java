package dev.t2i.sampling;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.t2i.T2iException;
import dev.t2i.runtime.NativeArrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ODE integrator from t = 1 (noise) down to t = 0 (data) over N uniform steps. The loop
 * (times, monitor, freeing on failure) is shared; an implementation says how one step moves
 * the state: {@link EulerSampler} and {@link HeunSampler}. Its {@link #id() name} ({@code euler},
 * {@code heun}) is what config files, bundles, image metadata, the command line and the server
 * use; {@link #parse} reads it back.
 */
public sealed interface Sampler permits EulerSampler, HeunSampler {
    /** x ← x - dt·v(x, t): the reference sampler, one model call per step. */
    Sampler EULER = new EulerSampler();
    /** Heun's second-order method: Euler predictor, trapezoidal corrector; two calls per step. */
    Sampler HEUN = new HeunSampler();
    /** Every sampler, in the order of their names in messages. */
    List<Sampler> ALL = List.of(EULER, HEUN);

    /** The name in config files, metadata and on the command line: {@code euler} or {@code heun}. */
    @JsonValue
    String id();

    /**
     * Parses {@code euler} or {@code heun} (any case) to {@link #EULER} or {@link #HEUN}.
     *
     * @throws T2iException with a one-line message listing the known names
     */
    @JsonCreator
    static Sampler parse(String name) {
        String id = String.valueOf(name).toLowerCase(Locale.ROOT);
        for (Sampler s : ALL) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new T2iException("unknown sampler '" + name + "' (use euler or heun)");
    }

    /**
     * Takes one step of length {@code dt} from time {@code t}: updates {@code x} in place, given
     * the velocity {@code v} at {@code (x, t)}, which the step owns and frees.
     */
    void step(VelocityField field, INDArray x, INDArray v, double t, double dt);

    /** Integrates {@code field} from {@code x1} at t = 1 to t = 0; {@code x1} is left unchanged. */
    default INDArray integrate(VelocityField field, INDArray x1, int steps) {
        return integrate(field, x1, 1.0, steps, StepMonitor.NONE);
    }

    /**
     * Integrates {@code field} from {@code start} at time {@code from} (1 for text-to-image, the
     * strength for image-to-image) down to t = 0 in {@code steps} uniform steps; {@code start} is
     * left unchanged. {@code monitor} sees every step and may stop the integration by throwing
     * {@link java.util.concurrent.CancellationException}.
     */
    default INDArray integrate(VelocityField field, INDArray start, double from, int steps, StepMonitor monitor) {
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
                step(field, x, v, t, dt);
            }
        } catch (RuntimeException e) {
            NativeArrays.closeAll(List.of(x));
            throw e;
        }
        return x;
    }
}
