package dev.t2i.eval;

import dev.t2i.data.shapes.ShapeKind;
import dev.t2i.data.shapes.ShapePrompt;
import dev.t2i.data.shapes.ShapesDataset;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Prompt adherence on the shapes data set: the fraction of generated images whose detected
 * colour and shape both match the prompt, reported separately for pairs seen in training and
 * for held-out pairs (the composition test).
 */
public final class AdherenceScore {
    private AdherenceScore() {
    }

    /**
     * Counts of matches.
     *
     * @param colorMatched images whose colour matched (whatever the shape)
     * @param shapeMatched  images whose shape matched (whatever the colour)
     * @param shapeConfusion counts by prompted shape (row, {@link ShapeKind} order) and detected
     *                       shape (column; the last column counts images where none was found)
     */
    public record Report(int seenTotal, int seenMatched, int heldOutTotal, int heldOutMatched,
                         int colorMatched, int shapeMatched, int[][] shapeConfusion) {
        public int total() {
            return seenTotal + heldOutTotal;
        }

        /** Fraction matched among seen pairs; NaN if there were none. */
        public double seen() {
            return fraction(seenMatched, seenTotal);
        }

        /** Fraction matched among held-out pairs; NaN if there were none. */
        public double heldOut() {
            return fraction(heldOutMatched, heldOutTotal);
        }

        /** Fraction matched over all images. */
        public double overall() {
            return fraction(seenMatched + heldOutMatched, total());
        }

        public double colorAccuracy() {
            return fraction(colorMatched, total());
        }

        public double shapeAccuracy() {
            return fraction(shapeMatched, total());
        }

        /** One line for logs: "adherence seen 0.950 (57/60), held-out 0.400 (8/20), colour 0.963, shape 0.900". */
        public String summary() {
            return String.format(Locale.ROOT, "adherence seen %s (%d/%d), held-out %s (%d/%d), colour %s, shape %s",
                    format(seen()), seenMatched, seenTotal, format(heldOut()), heldOutMatched, heldOutTotal,
                    format(colorAccuracy()), format(shapeAccuracy()));
        }

        /**
         * Which shapes were drawn for which prompted shape, one line: "shapes drawn (prompt: circle
         * square triangle none): circle 30 8 2 0; square …".
         */
        public String confusionSummary() {
            StringBuilder b = new StringBuilder("shapes detected (prompt: circle square triangle none):");
            ShapeKind[] kinds = ShapeKind.values();
            for (int i = 0; i < kinds.length; i++) {
                b.append(i == 0 ? " " : "; ").append(kinds[i].word());
                for (int n : shapeConfusion[i]) {
                    b.append(' ').append(n);
                }
            }
            return b.toString();
        }

        private static double fraction(int matched, int total) {
            return total == 0 ? Double.NaN : matched / (double) total;
        }

        private static String format(double v) {
            return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
        }
    }

    /** Scores detections against the prompts they were generated from. */
    public static Report score(List<ShapePrompt> prompts, List<Detection> detections, Collection<ShapePrompt> heldOut) {
        if (prompts.size() != detections.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + detections.size() + " detections");
        }
        int seenTotal = 0;
        int seenMatched = 0;
        int heldTotal = 0;
        int heldMatched = 0;
        int color = 0;
        int shape = 0;
        int[][] confusion = new int[ShapeKind.values().length][ShapeKind.values().length + 1];
        for (int i = 0; i < prompts.size(); i++) {
            ShapePrompt p = prompts.get(i);
            Detection d = detections.get(i);
            boolean match = d.matches(p);
            if (heldOut.contains(p)) {
                heldTotal++;
                heldMatched += match ? 1 : 0;
            } else {
                seenTotal++;
                seenMatched += match ? 1 : 0;
            }
            color += d.color() == p.color() ? 1 : 0;
            shape += d.shape() == p.shape() ? 1 : 0;
            confusion[p.shape().ordinal()][d.shape() == null ? ShapeKind.values().length : d.shape().ordinal()]++;
        }
        return new Report(seenTotal, seenMatched, heldTotal, heldMatched, color, shape, confusion);
    }

    /**
     * Detects and scores generated images [B, 3, H, W] in [-1, 1] against their prompts, with the
     * data set's default held-out pairs.
     */
    public static Report score(List<ShapePrompt> prompts, INDArray images) {
        return score(prompts, ShapeDetector.detectAll(images), ShapesDataset.HELD_OUT);
    }

    /** Like {@link #score(List, INDArray)} with captions ("a red circle") instead of prompts. */
    public static Report scoreCaptions(List<String> captions, INDArray images) {
        return score(captions.stream().map(ShapePrompt::parse).toList(), images);
    }
}
