package dev.t2i.flow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.t2i.T2iException;
import dev.t2i.random.Gaussian;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** How training draws the flow time t of each image. */
public enum TimeSampling {
    /** t ~ U(0, 1), as the reference. */
    UNIFORM("uniform"),
    /**
     * t = sigmoid(n), n ~ N(0, 1) (Esser et al., 2024): most draws fall mid-way, where the
     * velocity is hardest to predict, and few at the ends, where it is nearly given.
     */
    LOGIT_NORMAL("logit-normal");

    private final String id;

    TimeSampling(String id) {
        this.id = id;
    }

    /** The name in config files. */
    @JsonValue
    public String id() {
        return id;
    }

    /** Parses {@code uniform} or {@code logit-normal}. */
    @JsonCreator
    public static TimeSampling of(String name) {
        for (TimeSampling s : values()) {
            if (s.id.equals(name)) {
                return s;
            }
        }
        throw new T2iException("invalid training setting time_sampling = " + name + " (use uniform or logit-normal)");
    }

    /** One time in (0, 1). */
    public double draw(SplittableRandom rng) {
        return this == LOGIT_NORMAL ? 1.0 / (1.0 + Math.exp(-Gaussian.next(rng))) : rng.nextDouble();
    }

    /** {@code b} times [b]. */
    public INDArray draw(SplittableRandom rng, int b) {
        float[] t = new float[b];
        for (int i = 0; i < b; i++) {
            t[i] = (float) draw(rng);
        }
        return Nd4j.createFromArray(t);
    }

    @Override
    public String toString() {
        return id;
    }
}
