package dev.t2i.runtime;

import java.util.List;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.ReduceOp;
import org.nd4j.linalg.api.ops.ScalarOp;
import org.nd4j.linalg.api.ops.custom.Invoke;
import org.nd4j.linalg.api.ops.impl.controlflow.Select;
import org.nd4j.linalg.api.ops.impl.controlflow.Where;
import org.nd4j.linalg.api.ops.impl.controlflow.WhereNumpy;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.BaseCompatOp;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.api.ops.impl.shape.CreateView;
import org.nd4j.linalg.api.ops.impl.shape.tensorops.BaseTensorOp;
import org.nd4j.linalg.api.ops.impl.shape.tensorops.EmbeddingLookup;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Assign;

/**
 * Which ops a {@link GraphPlan} runs: those whose execution is only "set the inputs, make the
 * outputs, exec", decided by the op's type. A graph with any other op is left to SameDiff.
 */
final class RunnableOps {
    /**
     * Op types refused, with their subclasses. In ND4J 1.0.0-M2.1 these are every op class in the
     * packages {@code impl.controlflow}, {@code impl.shape.tensorops} and
     * {@code impl.layers.ExternalErrorsFunction}, plus the three custom ops below; no op class
     * outside those packages extends one of them.
     */
    private static final List<Class<? extends DifferentialFunction>> REFUSED = List.of(
            // Enter, Exit, LoopCond, Merge, NextIteration, Switch, While: frames and branches, which
            // SameDiff's session tracks and a straight list of steps cannot express
            BaseCompatOp.class,
            // ND4J files it with the control flow ops; refused with them (the plan has never run it)
            StopGradient.class,
            // the size of the output depends on the input's values, which the output-shape cache
            // does not look at for non-integer inputs
            Where.class, WhereNumpy.class,
            // filed with the control flow ops; refused with them
            Select.class,
            // tensor arrays: a list that lives in the session across ops
            BaseTensorOp.class,
            // filed with the tensor array ops; refused with them
            EmbeddingLookup.class,
            // its gradient is set on the session from outside the graph
            ExternalErrorsFunction.class,
            // the session runs these itself instead of through an op context: an assignment into
            // an existing array, a view of an input, a call of another graph
            Assign.class, CreateView.class, Invoke.class);

    private RunnableOps() {
    }

    /** Whether a plan can run {@code fn}. */
    static boolean runnable(DifferentialFunction fn) {
        if (refused(fn.getClass())) {
            return false;
        }
        if (fn instanceof CustomOp) {
            // the plan sets a custom op's arguments through DynamicCustomOp's accessors
            return fn instanceof DynamicCustomOp;
        }
        if (fn instanceof Op) {
            // a legacy op whose second input is an axis or a scalar changes the shared op object per call
            String[] args = fn.argNames();
            return args != null && (args.length == 1 || (args.length == 2 && !(fn instanceof ReduceOp)
                    && !(fn instanceof ScalarOp)));
        }
        return false;
    }

    /** Whether ops of {@code type} are refused whatever their arguments. */
    static boolean refused(Class<?> type) {
        return REFUSED.stream().anyMatch(r -> r.isAssignableFrom(type));
    }
}
