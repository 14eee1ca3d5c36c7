package dev.t2i.eval;

import dev.t2i.T2iException;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How much a model's samples change with the prompt, measured against how much they change with
 * the seed: for the same seeds, the mean absolute pixel difference between the samples of two
 * class prompts, as a share of the mean absolute pixel difference between samples of one prompt
 * from different seeds.
 *
 * <p>Table[a][b] = mean over seeds s of mean|x(a, s) − x(b, s)|, divided by the mean of the two
 * classes' seed spreads, spread(c) = mean over seed pairs s ≠ t of mean|x(c, s) − x(c, t)|. Near 0:
 * the prompt barely changes the image (the model draws the seed's picture whatever it is asked);
 * near 1: changing the class changes the image as much as changing the seed. Why this form: pixel
 * differences need no judge, so the figure separates "ignores the prompt" from "draws the wrong
 * class" (which class accuracy cannot tell apart), and dividing by the seed spread makes it
 * independent of how busy the images are. Mean absolute rather than squared differences: a few
 * saturated pixels do not dominate.
 */
public final class PromptSensitivity {
    private PromptSensitivity() {
    }

    /**
     * The table.
     *
     * @param classes the class names in row order
     * @param table   table[a][b] as above (0 on the diagonal, symmetric)
     * @param spread  spread(c): the mean pixel difference between seeds within class c
     */
    public record Table(List<String> classes, double[][] table, double[] spread) {
        /** The mean of the table off the diagonal: one number for the model. */
        public double meanOffDiagonal() {
            int k = table.length;
            double sum = 0;
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    sum += a == b ? 0 : table[a][b];
                }
            }
            return k < 2 ? 0 : sum / (k * (k - 1.0));
        }

        /**
         * The smallest entry off the diagonal: the pair of classes the prompt tells apart least (NaN
         * where no pair has a figure).
         */
        public double minOffDiagonal() {
            int[] pair = weakest();
            return pair == null ? Double.NaN : table[pair[0]][pair[1]];
        }

        /** The pair of {@link #minOffDiagonal()} as "a/b" in row order, or null where no pair has a figure. */
        public String weakestPair() {
            int[] pair = weakest();
            return pair == null ? null : classes.get(pair[0]) + "/" + classes.get(pair[1]);
        }

        /** How many pairs score below {@code level}. */
        public int pairsBelow(double level) {
            int n = 0;
            for (int a = 0; a < table.length; a++) {
                for (int b = a + 1; b < table.length; b++) {
                    n += table[a][b] < level ? 1 : 0;
                }
            }
            return n;
        }

        private int[] weakest() {
            int[] pair = null;
            for (int a = 0; a < table.length; a++) {
                for (int b = a + 1; b < table.length; b++) {
                    // NaN: both classes drew one picture for every seed, so the pair has no figure
                    if (!Double.isNaN(table[a][b]) && (pair == null || table[a][b] < table[pair[0]][pair[1]])) {
                        pair = new int[] {a, b};
                    }
                }
            }
            return pair;
        }

        /** The table as text, one row per class, two decimals. */
        public String format() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-12s", ""));
            for (String c : classes) {
                sb.append(String.format(Locale.ROOT, " %6.6s", c));
            }
            sb.append('\n');
            for (int a = 0; a < classes.size(); a++) {
                sb.append(String.format(Locale.ROOT, "%-12s", classes.get(a)));
                for (int b = 0; b < classes.size(); b++) {
                    sb.append(a == b ? String.format(Locale.ROOT, " %6s", "-")
                            : String.format(Locale.ROOT, " %6.2f", table[a][b]));
                }
                sb.append('\n');
            }
            return sb.toString();
        }
    }

    /**
     * The table for images [classes × seeds, C, H, W], class after class, image s of each class from
     * the same seed s (at least 2 seeds).
     */
    public static Table of(List<String> classes, INDArray images, int seeds) {
        int k = classes.size();
        if (seeds < 2 || images.size(0) != (long) k * seeds) {
            throw new T2iException("prompt sensitivity needs " + k + " classes × at least 2 seeds of images, got "
                    + images.size(0) + " images for " + seeds + " seeds");
        }
        int per = (int) (images.length() / images.size(0));
        float[] x = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
        double[] spread = new double[k];
        for (int c = 0; c < k; c++) {
            double sum = 0;
            for (int s = 0; s < seeds; s++) {
                for (int t = s + 1; t < seeds; t++) {
                    sum += meanAbsDiff(x, (c * seeds + s) * per, (c * seeds + t) * per, per);
                }
            }
            spread[c] = sum / (seeds * (seeds - 1) / 2.0);
        }
        double[][] table = new double[k][k];
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                double sum = 0;
                for (int s = 0; s < seeds; s++) {
                    sum += meanAbsDiff(x, (a * seeds + s) * per, (b * seeds + s) * per, per);
                }
                double base = (spread[a] + spread[b]) / 2;
                table[a][b] = base == 0 ? Double.NaN : sum / seeds / base;
                table[b][a] = table[a][b];
            }
        }
        return new Table(List.copyOf(classes), table, spread);
    }

    private static double meanAbsDiff(float[] x, int i, int j, int n) {
        double sum = 0;
        for (int p = 0; p < n; p++) {
            sum += Math.abs(x[i + p] - x[j + p]);
        }
        return sum / n;
    }
}
