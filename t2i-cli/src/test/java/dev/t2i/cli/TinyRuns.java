package dev.t2i.cli;

import dev.t2i.api.TinyBundles;
import dev.t2i.config.TrainConfig;
import dev.t2i.dit.DitNetwork;
import dev.t2i.train.Checkpoint;
import dev.t2i.train.RunState;
import java.nio.file.Path;

/** Run folders of {@link TinyBundles}' tiny models, for the commands that read training runs. */
public final class TinyRuns {
    private TinyRuns() {
    }

    /**
     * Writes {@code dir/clip.t2i} and a run folder {@code dir/run} whose one checkpoint (step 5)
     * records that CLIP and holds {@link TinyBundles#emaWeights}, unlike its live weights.
     *
     * @return the run folder
     */
    public static Path runFolder(Path dir, long seed) {
        Path clipFile = dir.resolve("clip.t2i");
        TinyBundles.clip(seed).save(clipFile);
        DitNetwork model = TinyBundles.dit(seed);
        RunState state = new RunState(5, 5, TrainConfig.reference(), "tiny test data", "tiny clip",
                clipFile.toString(), null, 0, null);
        Path run = dir.resolve("run");
        new Checkpoint(model, state, TinyBundles.emaWeights(model, seed), null).write(run, 1);
        return run;
    }
}
