package dev.t2i.flow;

import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.Conditioning;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Two-class toy data for trainer tests: "red top" and "blue bottom" half images, 8×8. */
final class ToyData implements TrainingSet {
    static final int SIZE = 8;
    private final int n;

    ToyData(int n) {
        this.n = n;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public int[] imageShape() {
        return new int[] {3, SIZE, SIZE};
    }

    @Override
    public INDArray images(int[] indices, boolean[] flip) {
        INDArray out = Nd4j.zeros(indices.length, 3, SIZE, SIZE).subi(1);
        for (int i = 0; i < indices.length; i++) {
            int c = label(indices[i]) == 0 ? 0 : 2;
            int rows0 = label(indices[i]) == 0 ? 0 : SIZE / 2;
            for (int y = rows0; y < rows0 + SIZE / 2; y++) {
                for (int x = 0; x < SIZE; x++) {
                    out.putScalar(new long[] {i, c, y, x}, 1.0);
                }
            }
        }
        return out;
    }

    @Override
    public String caption(int index) {
        return label(index) == 0 ? "red top" : "blue bottom";
    }

    @Override
    public int label(int index) {
        return index % 2;
    }

    @Override
    public String description() {
        return "toy " + n;
    }

    /** A conditioner giving each caption a fixed pseudo-random context, and the null text all zeros. */
    static Conditioner textConditioner(int len, int dim) {
        return new Conditioner() {
            @Override
            public Conditioning encode(List<String> captions, int[] labels, boolean[] drop) {
                INDArray ctx = Nd4j.zeros(captions.size(), len, dim);
                INDArray mask = Nd4j.zeros(captions.size(), len);
                for (int i = 0; i < captions.size(); i++) {
                    mask.putScalar(i, 0, 1.0);
                    mask.putScalar(i, 1, 1.0);
                    if (drop == null || !drop[i]) {
                        java.util.Random r = new java.util.Random(captions.get(i).hashCode());
                        for (int d = 0; d < dim; d++) {
                            ctx.putScalar(new long[] {i, 1, d}, r.nextGaussian());
                        }
                    }
                }
                return new Conditioning(ctx, mask, null);
            }

            @Override
            public Conditioning nullCondition(int count) {
                return encode(java.util.Collections.nCopies(count, ""), null, filled(count));
            }

            @Override
            public String description() {
                return "toy text";
            }
        };
    }

    private static boolean[] filled(int n) {
        boolean[] b = new boolean[n];
        java.util.Arrays.fill(b, true);
        return b;
    }
}
