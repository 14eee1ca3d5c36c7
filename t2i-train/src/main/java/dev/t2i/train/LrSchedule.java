package dev.t2i.train;

import dev.t2i.config.TrainConfig;

/** Learning rate at a step: linear warm-up, then constant or cosine decay to zero. */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, boolean cosine) {
    /** From a training config and the run's total steps. */
    public static LrSchedule of(TrainConfig c, int totalSteps) {
        return new LrSchedule(c.lr(), c.warmupSteps(), totalSteps, c.schedule() == TrainConfig.Schedule.COSINE);
    }

    /** The rate for 0-based step {@code step}. */
    public double at(long step) {
        return at(step, 0);
    }

    /**
     * The rate for 0-based step {@code step} of a run that has spent {@code timeFraction} of its
     * wall-time budget: the cosine follows whichever is further along, so a run that the clock
     * ends early still ends with its rate decayed to zero.
     */
    public double at(long step, double timeFraction) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (!cosine) {
            return peak;
        }
        double position = Math.max(step, timeFraction * totalSteps);
        double progress = (position - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, Math.max(0.0, progress))));
    }
}
