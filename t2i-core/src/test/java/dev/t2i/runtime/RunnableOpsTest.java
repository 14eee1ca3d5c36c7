package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.custom.Invoke;
import org.nd4j.linalg.api.ops.impl.controlflow.Where;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.shape.CreateView;
import org.nd4j.linalg.api.ops.impl.shape.Permute;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Assign;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link RunnableOps} decides by op type. It replaced a test of the op class's package name; the
 * table must still refuse every op those packages hold, and the ops of the models must run.
 */
class RunnableOpsTest {
    @Test
    void everyOpOfTheControlFlowAndTensorArrayPackagesIsRefused() throws Exception {
        int checked = 0;
        // the op classes as ND4J's jar lists them (a classpath scan would load far more)
        Path jar = Path.of(Where.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarFile entries = new JarFile(jar.toFile())) {
            for (JarEntry e : java.util.Collections.list(entries.entries())) {
                String name = e.getName();
                if (!(name.startsWith("org/nd4j/linalg/api/ops/impl/controlflow/")
                        || name.startsWith("org/nd4j/linalg/api/ops/impl/shape/tensorops/"))
                        || !name.endsWith(".class")) {
                    continue;
                }
                Class<?> type = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                        getClass().getClassLoader());
                if (DifferentialFunction.class.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())) {
                    assertTrue(RunnableOps.refused(type), type.getName() + " is refused");
                    checked++;
                }
            }
        }
        // 1.0.0-M2.1: 11 control flow ops, 10 in the tensor array package
        assertTrue(checked >= 21, checked + " op classes found");
        for (Class<?> type : new Class<?>[] {ExternalErrorsFunction.class, Assign.class, CreateView.class,
                Invoke.class}) {
            assertTrue(RunnableOps.refused(type), type.getName() + " is refused");
        }
    }

    @Test
    void theOpsOfTheModelsAreNotRefused() {
        for (Class<?> type : new Class<?>[] {Mmul.class, AddOp.class, SoftMax.class, Permute.class,
                org.nd4j.linalg.api.ops.impl.transforms.any.Assign.class}) {
            assertFalse(RunnableOps.refused(type), type.getName() + " is not refused");
        }
    }

    @Test
    void aGraphOfPlainOpsIsPlanned() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 3);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 3, 2));
        SDVariable b = sd.var("b", Nd4j.rand(DataType.FLOAT, 2));
        sd.math.tanh("y", x.mmul(w).add(b));
        GraphPlan plan = GraphPlan.build(sd, "y");
        assertNotNull(plan, "a graph of a product, an add and a tanh runs from a plan");
        plan.close();
    }
}
