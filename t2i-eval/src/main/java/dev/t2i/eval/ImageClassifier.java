package dev.t2i.eval;

import dev.t2i.T2iException;
import dev.t2i.data.CaptionedImages;
import dev.t2i.data.EpochShuffler;
import dev.t2i.io.AtomicFiles;
import dev.t2i.runtime.NativeArrays;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A convolutional image classifier built with Deeplearning4j, used to score whether generated
 * images show the class their prompt asked for (an independent judge: it never sees the DiT).
 *
 * <p>The network is three stages of two 3×3 convolutions with batch norm and ReLU and global
 * average pooling before the softmax, in one of two {@link Layout}s: a plain VGG-style design that
 * pools after each stage's pair, or the fast CIFAR-10 trainers' design that pools between the
 * pair, so the second convolution of each stage runs on a quarter of the positions and the width
 * can grow for the same operations. It
 * trains with random translations (2 pixels by default, zero padding), alternating flips and label
 * smoothing, on a one-cycle schedule that follows the step count or a time budget, by one of two
 * {@link Recipe}s: Adam, or the fast trainers' SGD behind a fixed whitening layer. It predicts from
 * six views of an image averaged (it and its mirror image, each also moved by one pixel both ways:
 * {@link #probabilities}). Inputs are images in [-1, 1], CHW, as the DiT produces them.
 *
 * <p>DL4J's native layer helpers (libnd4j's conv2d, batch norm and pooling ops instead of DL4J's
 * Java im2col path) are switched on where they pay: on ND4J's oneDNN builds, the default on AVX2
 * CPUs, they run oneDNN's kernels (185-232 images/s for the width-32 network on two cores), and on
 * the CUDA backend cuDNN's; on the plain CPU builds they are slower than the Java path (16-18
 * against 28-37 images/s; docs/PERFORMANCE.md, "The classifier's layers"), so there they stay off, as DL4J M2.1 ships them. They need the
 * shim {@code org.nd4j.nativeblas.Nd4jCpu}; {@code -Dorg.eclipse.deeplearning4j.helpers.disable}
 * set by the user wins either way.
 */
public final class ImageClassifier {
    private static final String CLASSES_SUFFIX = ".classes.txt";
    /** DL4J's switch for its native layer helpers; M2.1 defaults it to true (helpers off). */
    static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";

    /**
     * Switches DL4J's native layer helpers on where they are faster ({@link #helpersPay}), unless
     * {@value #HELPERS_DISABLE} is set already. DL4J reads this process-wide system property, so
     * the classifier never sets it itself: the command line calls this at start, and an
     * application that wants the faster path calls it before DL4J's first layer runs.
     */
    public static void useNativeHelpersWherePaying() {
        if (System.getProperty(HELPERS_DISABLE) == null) {
            boolean pay = helpersPay(dev.t2i.platform.CudaCheck.cudaBackendPresent(),
                    dev.t2i.platform.NativeBuild.current());
            System.setProperty(HELPERS_DISABLE, Boolean.toString(!pay));
        }
    }

    /** Whether DL4J's native helpers are faster than its Java path on this backend and build. */
    static boolean helpersPay(boolean cudaBackend, dev.t2i.platform.NativeBuild build) {
        return cudaBackend || build.hasOneDnn();
    }

    private final MultiLayerNetwork network;
    private final List<String> classNames;

    private ImageClassifier(MultiLayerNetwork network, List<String> classNames) {
        this.network = network;
        this.classNames = List.copyOf(classNames);
    }

    /**
     * Training settings.
     *
     * @param layout where each stage pools, and how its width grows
     * @param width  channels of the first stage ({@link Layout} says those of the next two)
     * @param epochs passes over the training images
     * @param batch  images per step
     * @param lr      peak learning rate of the one-cycle schedule
     * @param seed    seed of the initial weights, the order and the augmentation
     * @param minutes time budget (0: none): training stops when it is spent, or after
     *                {@code epochs}, whichever comes first, and the schedule follows whichever is
     *                further along
     * @param translate the largest random translation of a training image, in pixels each way
     *                  (0: none); the uncovered border is mid-grey
     * @param recipe  the optimiser and the parts that go with it ({@link Recipe})
     */
    public record Settings(Layout layout, int width, int epochs, int batch, double lr, long seed, double minutes,
            int translate, Recipe recipe) {
        /**
         * Translation by default: 2 pixels, as the fast CIFAR-10 trainers use for runs of about ten
         * epochs (4, the classic crop, suits longer schedules).
         */
        public static final int DEFAULT_TRANSLATE = 2;

        /** Settings of the {@link Recipe#ADAM} recipe with the default translation. */
        public Settings(Layout layout, int width, int epochs, int batch, double lr, long seed, double minutes) {
            this(layout, width, epochs, batch, lr, seed, minutes, DEFAULT_TRANSLATE);
        }

        /** Settings of the {@link Recipe#ADAM} recipe. */
        public Settings(Layout layout, int width, int epochs, int batch, double lr, long seed, double minutes,
                int translate) {
            this(layout, width, epochs, batch, lr, seed, minutes, translate, Recipe.ADAM);
        }

        /** Defaults of the {@link Recipe#ADAM} recipe measured on CIFAR-10 (docs/RESULTS.md, "The judge"). */
        public static Settings defaults() {
            return defaults(Recipe.ADAM);
        }

        /** The defaults of a recipe: the shape, batch and rate it was measured with. */
        public static Settings defaults(Recipe recipe) {
            return switch (recipe) {
                case ADAM -> new Settings(Layout.CONV_CONV_POOL, 32, 8, 128, 3e-3, 0, 0);
                case WHITENED_SGD -> new Settings(Layout.CONV_POOL_CONV, 64, 8, 256, 0.375, 0, 0, DEFAULT_TRANSLATE,
                        Recipe.WHITENED_SGD);
            };
        }

        Settings validate() {
            if (layout == null || recipe == null) {
                throw new T2iException("invalid classifier settings " + this + " (a layout and a recipe are needed)");
            }
            if (width < 4 || epochs < 1 || batch < 1 || !(lr > 0 && lr < recipe.maxLr()) || !(minutes >= 0)
                    || translate < 0) {
                throw new T2iException("invalid classifier settings " + this + " (width >= 4, epochs >= 1, batch >= 1, 0 < lr < "
                        + recipe.maxLr() + " for the " + recipe.cliName() + " recipe, minutes >= 0, translate >= 0)");
            }
            return this;
        }
    }

    /**
     * Where each of the three stages pools and how wide it is; a stage is two 3×3 convolutions,
     * each followed by batch norm and ReLU, and 2×2 max pooling.
     */
    public enum Layout {
        /** Convolution, convolution, pooling (none after the last stage); widths w, 2w, 4w. */
        CONV_CONV_POOL(new int[] {1, 2, 4}),
        /**
         * Convolution, pooling, then batch norm, ReLU and the second convolution at half the
         * resolution; widths w, 4w, 4w. The layout of the fast CIFAR-10 trainers (Keller Jordan's
         * airbench, David Page's ResNet-9): the second convolution costs a quarter, which buys
         * the width that lifts accuracy.
         */
        CONV_POOL_CONV(new int[] {1, 4, 4});

        private final int[] widths;

        Layout(int[] widths) {
            this.widths = widths;
        }

        /** Channels of stage {@code stage} (0-2) for first-stage width {@code width}. */
        int channels(int stage, int width) {
            return widths[stage] * width;
        }

        /** The name on the command line: {@code conv-conv-pool} or {@code conv-pool-conv}. */
        public String cliName() {
            return CliNames.of(this);
        }

        /** The layout named {@code name} on the command line. */
        public static Layout parse(String name) {
            return CliNames.parse(Layout.class, name, "classifier layout");
        }
    }

    /**
     * How the network is trained, and the parts of the network that go with it.
     */
    public enum Recipe {
        /**
         * Adam on the one-cycle schedule with decoupled weight decay 5·10⁻⁵, He-initialised
         * convolutions, global average pooling and label smoothing 0.1.
         */
        ADAM(0.1, 1),
        /**
         * The fast CIFAR-10 trainers' recipe (Keller Jordan's airbench): a fixed first layer that
         * whitens 2×2 patches (the eigenvectors of the training patches' second moment over
         * √(λ+ε), and their negatives, so ReLU passes both signs), then the stages with pooling that
         * drops an odd last row rather than pad; SGD with Nesterov momentum 0.85 and L2
         * 1.33·10⁻³ on the convolutions at a rate as high as batch norm
         * allows, on the one-cycle schedule; convolutions initialised as PyTorch does (uniform,
         * ±1/√fan-in; the rate was tuned for weights that small); global max pooling; an output layer
         * whose logits are scaled by 1/9 (done here as its equivalent: a ninth of the initial weights
         * and 1/81 of the rate); label smoothing 0.2; {@link Lookahead} every 5 steps.
         * Whitening decorrelates the inputs of the first trained convolution, which is what lets a
         * rate this high converge in a few epochs.
         */
        WHITENED_SGD(0.2, 10);

        private final double labelSmoothing;
        private final double maxLr;

        Recipe(double labelSmoothing, double maxLr) {
            this.labelSmoothing = labelSmoothing;
            this.maxLr = maxLr;
        }

        /** The bound below which a peak rate is accepted: Adam diverges long before 1, SGD here runs at 0.375. */
        double maxLr() {
            return maxLr;
        }

        /** Weight moved from the true class to all classes, spread evenly. */
        double labelSmoothing() {
            return labelSmoothing;
        }

        /** The name on the command line: {@code adam} or {@code whitened-sgd}. */
        public String cliName() {
            return CliNames.of(this);
        }

        /** The recipe named {@code name} on the command line. */
        public static Recipe parse(String name) {
            return CliNames.parse(Recipe.class, name, "classifier recipe");
        }
    }

    /** Momentum of the {@link Recipe#WHITENED_SGD} recipe (airbench's). */
    static final double SGD_MOMENTUM = 0.85;
    /**
     * L2 coefficient of the {@link Recipe#WHITENED_SGD} recipe on the mean loss: airbench's weight
     * decay of 0.0153 per 1,024 images at its rate of 11.5 per 1,024 summed, as a gradient term.
     */
    static final double SGD_L2 = 1.33e-3;
    /** Output channels of the whitening layer: 12 eigenvectors of 2×2×3 patches and their negatives. */
    static final int WHITENING_WIDTH = 24;
    /** The logit scale of the {@link Recipe#WHITENED_SGD} recipe's output layer. */
    static final double LOGIT_SCALE = 1.0 / 9;

    /** The DL4J network (tests). */
    MultiLayerNetwork network() {
        return network;
    }

    /** Class names in label order. */
    public List<String> classNames() {
        return classNames;
    }

    /** A new, untrained classifier for {@code classNames.size()} classes of square images of side {@code size}. */
    public static ImageClassifier create(List<String> classNames, int size, Settings s) {
        return create(classNames, size, s, new OneCycle(s.lr(), new double[1]));
    }

    private static ImageClassifier create(List<String> classNames, int size, Settings s, OneCycle schedule) {
        boolean sgd = s.recipe() == Recipe.WHITENED_SGD;
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
                .seed(s.seed())
                .convolutionMode(ConvolutionMode.Same);
        if (sgd) {
            // L2 on the trained convolutions, not here: DL4J would give it to the frozen layer
            // too, whose weights it would then shrink, and to batch norm's scale (airbench keeps it
            // at 1 and trains the shift 64 times faster: here that trained worse, see RESULTS.md)
            base.updater(new Nesterovs(schedule, SGD_MOMENTUM));
        } else {
            base.updater(new Adam(schedule)).weightInit(WeightInit.RELU).weightDecay(5e-5);
        }
        NeuralNetConfiguration.ListBuilder b = base.list();
        int in = 3;
        if (sgd) {
            // fixed: its weights are set from the data before training (whiten) and never updated
            b.layer(new FrozenLayerWithBackprop(new ConvolutionLayer.Builder(2, 2).nOut(WHITENING_WIDTH)
                    .convolutionMode(ConvolutionMode.Truncate).hasBias(false).activation(Activation.RELU)
                    .updater(new NoOp()).build()));
            in = WHITENING_WIDTH;
        }
        for (int stage = 0; stage < 3; stage++) {
            int channels = s.layout().channels(stage, s.width());
            for (int conv = 0; conv < 2; conv++) {
                ConvolutionLayer.Builder c = new ConvolutionLayer.Builder(3, 3).nOut(channels).hasBias(false)
                        .activation(Activation.IDENTITY);
                if (sgd) {
                    double bound = 1 / Math.sqrt(9.0 * in);
                    c.dist(new UniformDistribution(-bound, bound)).l2(SGD_L2);
                }
                b.layer(c.build());
                in = channels;
                if (s.layout() == Layout.CONV_POOL_CONV && conv == 0) {
                    b.layer(maxPool(sgd));
                }
                b.layer(new BatchNormalization.Builder().build());
                b.layer(new ActivationLayer(Activation.RELU));
            }
            if (s.layout() == Layout.CONV_CONV_POOL && stage < 2) {
                b.layer(maxPool(sgd));
            }
        }
        b.layer(new GlobalPoolingLayer(sgd ? PoolingType.MAX : PoolingType.AVG));
        OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classNames.size())
                .activation(Activation.SOFTMAX);
        if (sgd) {
            // logits × 1/9 with weights W is logits of weights W/9 trained at 1/81 of the rate, L2 × 81
            double bound = LOGIT_SCALE / Math.sqrt(in);
            double slow = LOGIT_SCALE * LOGIT_SCALE;
            out.hasBias(false).dist(new UniformDistribution(-bound, bound))
                    .updater(new Nesterovs(schedule.scaled(slow), SGD_MOMENTUM)).l2(SGD_L2 / slow);
        }
        b.layer(out.build());
        MultiLayerConfiguration conf = b.setInputType(InputType.convolutional(size, size, 3)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return new ImageClassifier(net, classNames);
    }

    /**
     * Sets the whitening layer of a {@link Recipe#WHITENED_SGD} network from the 2×2 patches of
     * (up to) the first 5,000 training images ({@link #whiteningFilters}).
     */
    void whiten(CaptionedImages data) {
        network.setParam("0_W", whiteningFilters(patchMoment(data, 5000)));
    }

    /**
     * The second-moment matrix [12][12] of all 2×2 patches of the first {@code limit} images, each
     * patch a vector indexed channel, row, column (the order of a DL4J filter's weights). Not
     * centred, as airbench's: the images in [-1, 1] are about centred already.
     */
    static double[][] patchMoment(CaptionedImages data, int limit) {
        int n = Math.min(limit, data.size());
        int h = data.height();
        int w = data.width();
        int plane = h * w;
        double[][] moment = new double[12][12];
        float[] image = new float[data.valuesPerImage()];
        double[] patch = new double[12];
        long patches = 0;
        for (int i = 0; i < n; i++) {
            data.copyAsFloats(i, false, image, 0);
            for (int r = 0; r + 1 < h; r++) {
                for (int col = 0; col + 1 < w; col++) {
                    int k = 0;
                    for (int ch = 0; ch < 3; ch++) {
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                patch[k++] = image[ch * plane + (r + dy) * w + col + dx];
                            }
                        }
                    }
                    for (int a = 0; a < 12; a++) {
                        for (int c = a; c < 12; c++) {
                            moment[a][c] += patch[a] * patch[c];
                        }
                    }
                    patches++;
                }
            }
        }
        for (int a = 0; a < 12; a++) {
            for (int c = a; c < 12; c++) {
                moment[a][c] /= patches;
                moment[c][a] = moment[a][c];
            }
        }
        return moment;
    }

    /**
     * The whitening filters [24, 3, 2, 2] of a second-moment matrix of 2×2×3 patches (index
     * channel, row, column): each eigenvector v becomes the filter v/√(λ+ε), and its negative
     * another, so the layer's outputs are decorrelated with unit variance. ε is 5·10⁻⁴ of the
     * mean eigenvalue (airbench's 5·10⁻⁴ on images of unit variance).
     */
    static INDArray whiteningFilters(double[][] moment) {
        SymmetricEigen.Result e = SymmetricEigen.of(moment);
        double mean = 0;
        for (double v : e.values()) {
            mean += v / 12;
        }
        double eps = 5e-4 * mean;
        float[] filters = new float[WHITENING_WIDTH * 12];
        for (int j = 0; j < 12; j++) {
            double scale = 1 / Math.sqrt(Math.max(0, e.values()[j]) + eps);
            for (int k = 0; k < 12; k++) {
                float v = (float) (e.vectors()[k][j] * scale);
                filters[j * 12 + k] = v;
                filters[(j + 12) * 12 + k] = -v;
            }
        }
        return Nd4j.create(filters, new long[] {WHITENING_WIDTH, 3, 2, 2}, 'c');
    }

    /** 2×2 max pooling; without padding where {@code truncate} (an odd side loses its last row, as PyTorch's does). */
    private static SubsamplingLayer maxPool(boolean truncate) {
        SubsamplingLayer.Builder b = new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2);
        if (truncate) {
            b.convolutionMode(ConvolutionMode.Truncate);
        }
        return b.build();
    }

    /**
     * Trains a new classifier on labelled images; {@code onEpoch} hears each finished epoch (for
     * progress and evaluation).
     */
    public static ImageClassifier train(CaptionedImages data, Settings settings, EpochListener onEpoch) {
        Settings s = settings.validate();
        if (!data.hasLabels()) {
            throw new T2iException("the classifier needs a data set with classes (" + data.source() + ")");
        }
        if (data.height() != data.width()) {
            throw new T2iException("the classifier takes square images, got " + data.width() + "x" + data.height());
        }
        if (s.translate() >= data.height()) {
            throw new T2iException("a translation of " + s.translate() + " pixels moves a " + data.height()
                    + "-pixel image out of view: use --translate below " + data.height());
        }
        int n = data.size();
        int stepsPerEpoch = n / s.batch();
        if (stepsPerEpoch == 0) {
            throw new T2iException("the data set has " + n + " images, fewer than one batch of " + s.batch());
        }
        double[] progress = new double[1];
        ImageClassifier c = create(data.classNames(), data.height(), s, new OneCycle(s.lr(), progress));
        if (s.recipe() == Recipe.WHITENED_SGD) {
            c.whiten(data);
        }
        Lookahead lookahead = s.recipe() == Recipe.WHITENED_SGD ? new Lookahead(c.network.params()) : null;
        Augmenter augmenter = new Augmenter(data, s.translate(), s.seed(), s.recipe().labelSmoothing());
        EpochShuffler shuffler = new EpochShuffler(s.seed());
        long totalSteps = (long) stepsPerEpoch * s.epochs();
        long start = System.nanoTime();
        long done = 0;
        boolean outOfTime = false;
        for (int epoch = 0; epoch < s.epochs() && !outOfTime; epoch++) {
            int[] order = shuffler.permutation(epoch, n);
            SplittableRandom rng = shuffler.random(epoch, 0);
            double lossSum = 0;
            int steps = 0;
            long t0 = System.nanoTime();
            for (int step = 0; step < stepsPerEpoch; step++) {
                progress[0] = Math.max(budgetUsed(s, start), (double) done / totalSteps);
                int[] idx = Arrays.copyOfRange(order, step * s.batch(), (step + 1) * s.batch());
                c.network.fit(augmenter.batch(idx, epoch, rng, c.classNames.size()));
                lossSum += c.network.score();
                steps++;
                done++;
                if (lookahead != null && done % Lookahead.EVERY == 0) {
                    lookahead.update(c.network.params(), Lookahead.decayAt(progress[0]));
                }
                if (onEpoch != null) {
                    onEpoch.step(epoch, step + 1, stepsPerEpoch);
                }
                // checked after a step, so that the epoch that ran out of time is the last one heard
                if (budgetUsed(s, start) >= 1) {
                    outOfTime = true;
                    break;
                }
            }
            boolean last = outOfTime || epoch == s.epochs() - 1;
            if (last && lookahead != null) {
                // before the last epoch is heard, so that what a listener saves or scores is the result
                lookahead.finish(c.network.params());
            }
            if (onEpoch != null && steps > 0) {
                onEpoch.epoch(epoch + 1, lossSum / steps, (System.nanoTime() - t0) / 1e9, c);
            }
        }
        progress[0] = 1;
        return c;
    }

    /** The share of the time budget used since {@code start} (0 without a budget). */
    private static double budgetUsed(Settings s, long start) {
        return s.minutes() > 0 ? (System.nanoTime() - start) / 60e9 / s.minutes() : 0;
    }

    /** Hears training progress. */
    public interface EpochListener {
        /** After each step. */
        default void step(int epoch, int step, int stepsPerEpoch) {
        }

        /** After each epoch (the last one cut short where the time budget ran out), with the mean training loss and its duration. */
        void epoch(int epoch, double meanLoss, double seconds, ImageClassifier classifier);
    }

    /**
     * Class probabilities [N, classes] of images [N, 3, H, W] in [-1, 1], averaged over six views:
     * the image and its mirror image weigh one half, the pair moved one pixel down and right and
     * the pair moved one pixel up and left a quarter each (borders mirrored). Test-time
     * augmentation as the fast CIFAR-10 trainers do it: the views' mistakes differ, so their mean
     * is right more often than any one of them.
     */
    public INDArray probabilities(INDArray images) {
        INDArray p = mirrorPair(images).muli(2);
        if (images.size(2) > 1 && images.size(3) > 1) {
            p.addi(mirrorPair(translated(images, 1))).addi(mirrorPair(translated(images, -1)));
        } else {
            p.muli(2);
        }
        return p.divi(4);
    }

    /** The mean of the probabilities of the images and of their mirror images. */
    private INDArray mirrorPair(INDArray images) {
        INDArray flipped = Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse(images, 3))[0];
        return network.output(images, false).addi(network.output(flipped, false)).divi(2);
    }

    /**
     * Images [N, C, H, W] moved by {@code by} = 1 (down and right) or -1 (up and left) pixel, the
     * uncovered row and column mirrored from inside the image (what reflection padding by one
     * pixel and a crop give).
     */
    static INDArray translated(INDArray images, int by) {
        return shift(shift(images, 2, by), 3, by);
    }

    private static INDArray shift(INDArray x, int axis, int by) {
        long n = x.size(axis);
        INDArray[] parts = by > 0
                ? new INDArray[] {slice(x, axis, 1, 2), slice(x, axis, 0, n - 1)}
                : new INDArray[] {slice(x, axis, 1, n), slice(x, axis, n - 2, n - 1)};
        return Nd4j.concat(axis, parts);
    }

    private static INDArray slice(INDArray x, int axis, long from, long to) {
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = new org.nd4j.linalg.indexing.INDArrayIndex[x.rank()];
        java.util.Arrays.fill(idx, org.nd4j.linalg.indexing.NDArrayIndex.all());
        idx[axis] = org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
        return x.get(idx);
    }

    /**
     * The judge's penultimate features of images [N, 3, H, W] in [-1, 1]: the globally pooled
     * activations of the last convolution stage (averaged, or the maximum for {@link
     * Recipe#WHITENED_SGD}), the input of the softmax layer, [N, {@link #featureWidth()}] (4 × the
     * width the classifier was trained with). These are the features
     * that {@link FrechetDistance} and {@link KernelInceptionDistance} compare: they are what the
     * classifier decides from, so a distance in them reads as "how differently the judge sees the
     * two sets". Inference mode (batch norm's running statistics) and no flip averaging, unlike
     * {@link #probabilities}: the features of an image are those of that image. Batches of 256.
     */
    public INDArray features(INDArray images) {
        int batch = 256;
        long n = images.size(0);
        int penultimate = network.getnLayers() - 2;
        INDArray out = Nd4j.create(network.params().dataType(), n, featureWidth());
        for (long from = 0; from < n; from += batch) {
            long to = Math.min(n, from + batch);
            INDArray part = images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
            List<INDArray> acts = network.feedForwardToLayer(penultimate, part, false);
            INDArray f = acts.get(acts.size() - 1);
            out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(f);
            // every layer's activations of 256 images, ~1 GB for the judge: freed now, not when a
            // collection that the small Java heap rarely needs gets round to them (evaluate peaked
            // at 13 GB of RSS without this)
            NativeArrays.closeAll(acts.subList(1, acts.size()));
        }
        return out;
    }

    /** The length of a feature vector from {@link #features}: the output layer's input size. */
    public int featureWidth() {
        return (int) ((org.deeplearning4j.nn.conf.layers.FeedForwardLayer) network.getLayer(network.getnLayers() - 1)
                .conf().getLayer()).getNIn();
    }

    /** The most probable class of each image. */
    public int[] predict(INDArray images) {
        int batch = 256;
        long n = images.size(0);
        int[] out = new int[(int) n];
        for (long from = 0; from < n; from += batch) {
            long to = Math.min(n, from + batch);
            INDArray part = images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
            INDArray arg = probabilities(part).argMax(1);
            for (long i = from; i < to; i++) {
                out[(int) i] = arg.getInt((int) (i - from));
            }
        }
        return out;
    }

    /** Accuracy on labelled images. */
    public double accuracy(CaptionedImages data) {
        int correct = 0;
        int chunk = 1000;
        for (int from = 0; from < data.size(); from += chunk) {
            int to = Math.min(data.size(), from + chunk);
            int[] idx = java.util.stream.IntStream.range(from, to).toArray();
            int[] pred = predict(data.batch(idx).images());
            for (int i = 0; i < idx.length; i++) {
                if (pred[i] == data.label(idx[i])) {
                    correct++;
                }
            }
        }
        return (double) correct / data.size();
    }

    /**
     * Writes the network (DL4J's model zip) and, beside it, its class names, each atomically: a
     * kill or a full disk leaves the old files or none, never a torn one.
     */
    public void save(Path file) {
        AtomicFiles.write(file, out -> ModelSerializer.writeModel(network, out, false));
        AtomicFiles.write(classesFile(file), out -> out.write((String.join("\n", classNames) + "\n")
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads a classifier written by {@link #save}. */
    public static ImageClassifier load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new T2iException("classifier not found: " + file + " (train one with 't2i train-classifier')");
        }
        Path classes = classesFile(file);
        if (!Files.isRegularFile(classes)) {
            throw new T2iException("the classifier " + file + " has no class list beside it (" + classes.getFileName()
                    + "); copy that file from where 't2i train-classifier' wrote the model, or train it again");
        }
        try {
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
            return new ImageClassifier(net, Files.readAllLines(classes, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new T2iException("cannot read the classifier " + file + ": " + e.getMessage());
        }
    }

    private static Path classesFile(Path model) {
        return model.resolveSibling(model.getFileName() + CLASSES_SUFFIX);
    }

    /**
     * One-cycle learning rate: a linear rise from a tenth of the peak over the first 25 % of
     * training, then a linear fall to a hundredth. It reads the progress (0 to 1) from an array the
     * trainer updates before each step, so the same schedule serves a step count and a time budget;
     * a saved network, whose array is gone, reports the final rate.
     */
    static final class OneCycle implements ISchedule {
        private static final double WARMUP = 0.25;
        private double peak;
        private transient double[] progress;

        private OneCycle() {
            // for DL4J's JSON
        }

        OneCycle(double peak, double[] progress) {
            this.peak = peak;
            this.progress = progress;
        }

        /** The peak rate (a getter so that DL4J's JSON keeps it). */
        public double getPeak() {
            return peak;
        }

        static double at(double peak, double p) {
            double q = Math.min(1, Math.max(0, p));
            return q < WARMUP ? peak * (0.1 + 0.9 * q / WARMUP) : peak * (1 - 0.99 * (q - WARMUP) / (1 - WARMUP));
        }

        /** The same schedule, sharing the progress, at {@code factor} times the rate. */
        OneCycle scaled(double factor) {
            return new OneCycle(peak * factor, progress);
        }

        @Override
        public double valueAt(int iteration, int epoch) {
            return at(peak, progress == null ? 1 : progress[0]);
        }

        @Override
        public ISchedule clone() {
            return this; // the copies DL4J makes per layer must share the progress
        }
    }

    /**
     * Whether image {@code image} is mirrored in epoch {@code epoch}: at random in the first epoch,
     * then the other way from the epoch before (airbench's alternating flip). Over any two epochs
     * the network sees each image both ways, where independent coin flips show half of them
     * one way twice.
     */
    static boolean mirrored(long seed, int image, int epoch) {
        boolean first = (new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (image + 1))).nextInt() & 1) == 1;
        return first ^ (epoch % 2 == 1);
    }

    /** Training batches with random translations and alternating flips, as one-hot labelled data sets. */
    private static final class Augmenter {
        private final CaptionedImages data;
        private final int pad;
        private final long seed;
        private final float[] image;
        private final double smoothing;

        Augmenter(CaptionedImages data, int pad, long seed, double smoothing) {
            this.data = data;
            this.pad = pad;
            this.seed = seed;
            this.smoothing = smoothing;
            this.image = new float[data.valuesPerImage()];
        }

        DataSet batch(int[] idx, int epoch, SplittableRandom rng, int classes) {
            int h = data.height();
            int w = data.width();
            int plane = h * w;
            float[] x = new float[idx.length * 3 * plane];
            float[] y = new float[idx.length * classes];
            for (int b = 0; b < idx.length; b++) {
                data.copyAsFloats(idx[b], mirrored(seed, idx[b], epoch), image, 0);
                int dy = rng.nextInt(2 * pad + 1) - pad;
                int dx = rng.nextInt(2 * pad + 1) - pad;
                int base = b * 3 * plane;
                for (int c = 0; c < 3; c++) {
                    for (int r = 0; r < h; r++) {
                        int sr = r + dy;
                        for (int col = 0; col < w; col++) {
                            int sc = col + dx;
                            // zero padding is mid-grey in [-1, 1]
                            x[base + c * plane + r * w + col] = sr < 0 || sr >= h || sc < 0 || sc >= w ? 0f
                                    : image[c * plane + sr * w + sc];
                        }
                    }
                }
                for (int k = 0; k < classes; k++) {
                    y[b * classes + k] = (float) (smoothing / classes);
                }
                y[b * classes + data.label(idx[b])] += (float) (1 - smoothing);
            }
            return new DataSet(Nd4j.create(x, new long[] {idx.length, 3, h, w}, 'c'),
                    Nd4j.create(y, new long[] {idx.length, classes}, 'c'));
        }
    }
}
