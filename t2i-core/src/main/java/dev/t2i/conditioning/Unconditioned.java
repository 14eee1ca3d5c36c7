package dev.t2i.conditioning;

import java.util.List;

/** The unconditional model's conditioner: nothing to add. */
public final class Unconditioned implements Conditioner {
    @Override
    public Conditioning encode(List<String> captions, int[] labels, boolean[] drop) {
        return Conditioning.NONE;
    }

    @Override
    public Conditioning nullCondition(int n) {
        return Conditioning.NONE;
    }

    @Override
    public String description() {
        return "unconditional";
    }
}
