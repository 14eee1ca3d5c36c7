package dev.t2i.nn;

import dev.t2i.random.Gaussian;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Creates the variables of a SameDiff graph under hierarchical dotted names (the PyTorch
 * state-dict names, e.g. {@code blocks.0.self_attn.in_proj_weight}), initialises them from a seed
 * and records each one's {@link ParamSpec}, so that checkpoints can be imported and counted
 * without knowing the model's structure.
 *
 * <p>Initial values are drawn from a {@link SplittableRandom} owned by the root scope, so the same
 * seed gives the same weights on every backend.
 */
public final class ParamScope {
    private final SameDiff sd;
    private final String prefix;
    private final SplittableRandom random;
    private final Map<String, ParamSpec> registry;
    private final GraphMode mode;
    private final DataType dtype;
    /** The number type of the layers' matrix products: {@link #dtype}, or BFLOAT16 (see {@link Linear#product}). */
    private final DataType products;
    /** The graph whose arrays this one's parameters are (not copies); null: draw them from the seed. */
    private final SameDiff weightsOf;

    private ParamScope(SameDiff sd, String prefix, SplittableRandom random, Map<String, ParamSpec> registry,
            GraphMode mode, DataType dtype, DataType products, SameDiff weightsOf) {
        this.weightsOf = weightsOf;
        this.products = products;
        this.sd = sd;
        this.prefix = prefix;
        this.random = random;
        this.registry = registry;
        this.mode = mode;
        this.dtype = dtype;
    }

    /** A root scope for a graph built for {@code mode}: trained (the DiT) or frozen (CLIP). */
    public static ParamScope root(SameDiff sd, long seed, GraphMode mode) {
        return root(sd, seed, mode, DataType.FLOAT);
    }

    /**
     * A root scope whose variables and constants have the given floating-point type. The values
     * are drawn in single precision whatever the type, so a DOUBLE graph (for gradient checks)
     * starts from exactly the weights of the FLOAT one.
     */
    public static ParamScope root(SameDiff sd, long seed, GraphMode mode, DataType dtype) {
        return root(sd, seed, mode, dtype, dtype);
    }

    /**
     * A root scope as {@link #root(SameDiff, long, GraphMode, DataType)} whose layers compute their
     * matrix products in {@code products} (BFLOAT16 for mixed precision, or {@code dtype}).
     */
    public static ParamScope root(SameDiff sd, long seed, GraphMode mode, DataType dtype, DataType products) {
        return new ParamScope(sd, "", new SplittableRandom(seed), new LinkedHashMap<>(), mode, dtype, products,
                null);
    }

    /**
     * A root scope whose parameters are the very arrays of {@code weightsOf}'s variables of the
     * same names, neither drawn nor copied: a second graph over the same weights (CLIP cut to
     * fewer positions) costs no memory and no start-up.
     */
    public static ParamScope sharing(SameDiff sd, GraphMode mode, SameDiff weightsOf) {
        return new ParamScope(sd, "", null, new LinkedHashMap<>(), mode, DataType.FLOAT, DataType.FLOAT,
                weightsOf);
    }

    /** A scope nested under {@code name}. */
    public ParamScope child(String name) {
        return new ParamScope(sd, qualify(name) + ".", random, registry, mode, dtype, products, weightsOf);
    }

    /** A scope nested under {@code name.index} (e.g. {@code blocks.3}). */
    public ParamScope child(String name, int index) {
        return child(name + "." + index);
    }

    public SameDiff sd() {
        return sd;
    }

    /** The floating-point type of this graph's variables (FLOAT unless built for checks). */
    public DataType dtype() {
        return dtype;
    }

    /** The number type of the layers' matrix products: {@link #dtype()} or BFLOAT16. */
    public DataType products() {
        return products;
    }

    /** The full name of a variable created in this scope. */
    public String qualify(String name) {
        return prefix + name;
    }

    /** Every parameter created through this scope tree, in creation order. */
    public Map<String, ParamSpec> params() {
        return registry;
    }

    /** A Linear weight [in, out] drawn xavier-uniform: U(-a, a), a = sqrt(6 / (in + out)). */
    public SDVariable xavierWeight(String name, long in, long out, TorchLayout layout, long[] convShape) {
        double a = Math.sqrt(6.0 / (in + out));
        long[] shape = {in, out};
        return create(name, value(name, shape, () -> fill(shape, () -> (random.nextDouble() * 2 - 1) * a)), layout,
                convShape);
    }

    /** A tensor of N(0, std²) values. */
    public SDVariable normal(String name, double std, long... shape) {
        return create(name, value(name, shape, () -> fill(shape, () -> Gaussian.next(random) * std)),
                TorchLayout.SAME, null);
    }

    /** The shared array of {@code name} when this scope shares weights, else a new one from {@code make}. */
    private INDArray value(String name, long[] shape, java.util.function.Supplier<INDArray> make) {
        if (weightsOf == null) {
            return make.get();
        }
        String full = qualify(name);
        INDArray a = weightsOf.hasVariable(full) ? weightsOf.getArrForVarName(full) : null;
        if (a == null || !java.util.Arrays.equals(a.shape(), shape)) {
            throw new IllegalStateException("the graph shared with has no parameter " + full + " of shape "
                    + java.util.Arrays.toString(shape));
        }
        return a;
    }

    /**
     * A FLOAT array filled in order from {@code draw}, written straight into native memory: a
     * Java array in between would leave the CLIP tower's 250 MB as heap garbage at start-up.
     */
    private static INDArray fill(long[] shape, java.util.function.DoubleSupplier draw) {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape);
        java.nio.FloatBuffer values = a.data().asNioFloat();
        long n = a.length();
        for (int i = 0; i < n; i++) {
            values.put(i, (float) draw.getAsDouble());
        }
        return a;
    }

    /** A zero tensor in the given layout (biases, zero-initialised layers). */
    public SDVariable zeros(String name, TorchLayout layout, long[] convShape, long... shape) {
        return create(name, value(name, shape, () -> Nd4j.zeros(DataType.FLOAT, shape)), layout, convShape);
    }

    /** A tensor of ones (layer-norm gains). */
    public SDVariable ones(String name, long... shape) {
        return create(name, value(name, shape, () -> Nd4j.ones(DataType.FLOAT, shape)), TorchLayout.SAME, null);
    }

    /** A fixed, never-trained constant that is not a parameter (position tables, frequencies). */
    public SDVariable constant(String name, INDArray value) {
        return sd.constant(qualify(name), value.castTo(dtype));
    }

    private SDVariable create(String name, INDArray value, TorchLayout layout, long[] convShape) {
        String full = qualify(name);
        if (registry.containsKey(full)) {
            throw new IllegalStateException("parameter defined twice: " + full);
        }
        registry.put(full, new ParamSpec(full, value.shape(), layout.torchShape(value.shape(), convShape), layout,
                mode == GraphMode.TRAIN));
        // frozen parameters are variables too: values can be replaced on import, and nothing updates them
        return sd.var(full, value.castTo(dtype));
    }
}
