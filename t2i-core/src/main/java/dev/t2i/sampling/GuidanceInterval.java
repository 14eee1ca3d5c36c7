package dev.t2i.sampling;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import dev.t2i.NumberText;
import dev.t2i.T2iException;
import java.util.List;

/**
 * The times t (1 is noise, 0 the image) at which classifier-free guidance applies; outside them
 * the sampler follows the conditional velocity alone (w = 1), and only the conditional pass runs.
 * Guidance at the noisiest times pulls every sample of a prompt toward one layout, and at the last
 * times it only sharpens what is there; limiting it to the middle keeps the samples' variety at
 * the same adherence (Kynkäänniemi et al., "Applying guidance in a limited interval improves sample
 * and distribution quality in diffusion models", 2024). {@link #FULL}, [0, 1], is the reference's
 * guidance at every step.
 *
 * <p>Config files and JSON write it as {@code [from, to]}; the command line as {@code from,to}.
 *
 * @param from the lowest time guided, in [0, 1]
 * @param to   the highest time guided, in [from, 1]
 */
public record GuidanceInterval(double from, double to) implements java.io.Serializable {
    /** Guidance at every time: the reference's. */
    public static final GuidanceInterval FULL = new GuidanceInterval(0, 1);

    /** Checks the range, with a message naming the fix. */
    public GuidanceInterval {
        if (!(from >= 0 && from <= to && to <= 1)) {
            throw new T2iException("invalid guidance interval [" + from + ", " + to
                    + "]: give two times with 0 <= from <= to <= 1, e.g. 0.2,0.85");
        }
    }

    /** Whether guidance applies at time {@code t} ({@link #FULL}: at every time, rounding past 0 or 1 too). */
    public boolean contains(double t) {
        return full() || (t >= from && t <= to);
    }

    /** Whether this is {@link #FULL}. */
    public boolean full() {
        return from == 0 && to == 1;
    }

    /**
     * Reads {@code from,to} as the command line and the server's forms give it.
     *
     * @throws T2iException naming the expected form
     */
    public static GuidanceInterval parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(",");
        if (parts.length != 2) {
            throw new T2iException("invalid guidance interval '" + text + "': give two times from,to, e.g. 0.2,0.85");
        }
        try {
            return new GuidanceInterval(Double.parseDouble(parts[0].trim()), Double.parseDouble(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new T2iException("invalid guidance interval '" + text + "': give two times from,to, e.g. 0.2,0.85");
        }
    }

    /**
     * Reads {@code [from, to]}, the form of config files, reports and the HTTP API's JSON.
     *
     * @throws T2iException naming the expected form, or the range rule
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static GuidanceInterval fromJson(JsonNode times) {
        if (times == null || !times.isArray() || times.size() != 2 || !times.get(0).isNumber()
                || !times.get(1).isNumber()) {
            throw new T2iException("invalid guidance interval " + times + ": give [from, to], e.g. [0.2, 0.85]");
        }
        return new GuidanceInterval(times.get(0).asDouble(), times.get(1).asDouble());
    }

    /** {@code [from, to]}, as config files and JSON write it. */
    @JsonValue
    public List<Double> times() {
        return List.of(from, to);
    }

    /**
     * A Jackson value filter that leaves {@link #FULL} out of what is written ({@code
     * @JsonInclude(value = CUSTOM, valueFilter = FullFilter.class)}), so files written with
     * guidance at every time read as they did before intervals existed.
     */
    public static final class FullFilter {
        @Override
        public boolean equals(Object value) {
            return value == null || (value instanceof GuidanceInterval g && g.full());
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** {@code from,to}, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return text(',');
    }

    /** The two times joined by {@code separator}, each as {@link NumberText} writes numbers. */
    public String text(char separator) {
        return NumberText.of(from) + separator + NumberText.of(to);
    }
}
