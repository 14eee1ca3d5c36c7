package dev.t2i.conditioning;

import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/** Class labels as conditioning; the null class is {@code numClasses} (the table's last row). */
public final class ClassConditioner implements Conditioner {
    private final int numClasses;

    public ClassConditioner(int numClasses) {
        this.numClasses = numClasses;
    }

    @Override
    public Conditioning encode(List<String> captions, int[] labels, boolean[] drop) {
        int[] out = labels.clone();
        for (int i = 0; i < out.length; i++) {
            if (drop != null && drop[i]) {
                out[i] = numClasses;
            }
        }
        return new Conditioning(null, null, Nd4j.createFromArray(out));
    }

    @Override
    public Conditioning nullCondition(int n) {
        int[] out = new int[n];
        java.util.Arrays.fill(out, numClasses);
        return new Conditioning(null, null, Nd4j.createFromArray(out));
    }

    @Override
    public String description() {
        return "class labels (" + numClasses + " classes + null)";
    }
}
