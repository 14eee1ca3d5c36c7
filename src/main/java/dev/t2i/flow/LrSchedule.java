package dev.t2i.flow;

/** Learning rate at a step: linear warm-up, then constant or cosine decay to zero. */
public record LrSchedule(double peak, int warmupSteps, int totalSteps, boolean cosine) {
    /** From a training config and the run's total steps. */
    public static LrSchedule of(TrainConfig c, int totalSteps) {
        return new LrSchedule(c.lr(), c.warmupSteps(), totalSteps, c.schedule().equals("cosine"));
    }

    /** The rate for 0-based step {@code step}. */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (!cosine) {
            return peak;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
    }
}
