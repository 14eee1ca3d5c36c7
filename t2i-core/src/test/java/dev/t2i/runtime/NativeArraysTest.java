package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class NativeArraysTest {
    @Test
    void closesOwnedArraysOnceAndLeavesViewsAndTheirParentsUsable() {
        INDArray owned = Nd4j.rand(4, 4);
        INDArray parent = Nd4j.rand(4, 4);
        INDArray view = parent.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all());
        NativeArrays.closeAll(Arrays.asList(owned, null, view, owned));
        assertTrue(owned.wasClosed());
        assertFalse(view.wasClosed());
        assertFalse(parent.wasClosed());
        assertEquals(parent.getDouble(0, 0), view.getDouble(0, 0), 0.0);
    }
}
