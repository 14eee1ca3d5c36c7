package dev.t2i.train;

import dev.t2i.conditioning.Conditioner;
import dev.t2i.conditioning.Conditioning;
import dev.t2i.data.CaptionedImages;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Two-class toy data for trainer tests: "red top" and "blue bottom" half images, 8×8. */
final class ToyData {
    static final int SIZE = 8;

    private ToyData() {
    }

    /** {@code n} images alternating between the two classes. */
    static CaptionedImages images(int n) {
        int per = 3 * SIZE * SIZE;
        byte[] pixels = new byte[n * per];
        List<String> captions = new java.util.ArrayList<>();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            captions.add(labels[i] == 0 ? "red top" : "blue bottom");
            int channel = labels[i] == 0 ? 0 : 2;
            int row0 = labels[i] == 0 ? 0 : SIZE / 2;
            for (int y = row0; y < row0 + SIZE / 2; y++) {
                for (int x = 0; x < SIZE; x++) {
                    pixels[i * per + channel * SIZE * SIZE + y * SIZE + x] = (byte) 255;
                }
            }
        }
        return new CaptionedImages("toy", SIZE, SIZE, pixels, captions, labels, List.of("red top", "blue bottom"),
                List.of());
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
