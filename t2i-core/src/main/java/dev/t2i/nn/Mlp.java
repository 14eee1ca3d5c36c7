package dev.t2i.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/** The two-layer feed-forward block: Linear → activation → Linear. */
public final class Mlp {
    private Mlp() {
    }

    /**
     * @param first  name of the first Linear (e.g. {@code mlp.0} or {@code mlp.fc1})
     * @param second name of the second Linear (e.g. {@code mlp.3} or {@code mlp.fc2})
     */
    public static SDVariable apply(ParamScope scope, String first, String second, SDVariable x, long width,
            long hidden, String activation) {
        SDVariable h = Linear.apply(scope, first, x, width, hidden);
        h = Activations.apply(scope.sd(), activation, h);
        return Linear.apply(scope, second, h, hidden, width);
    }
}
