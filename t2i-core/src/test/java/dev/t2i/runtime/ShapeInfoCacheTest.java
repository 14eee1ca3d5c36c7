package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ShapeInfoCacheTest {

    @Test
    void arraysOfOneShapeShareOneDescriptorAndComputeAsBefore() {
        ShapeInfoCache.install();
        assertTrue(ShapeInfoCache.active(), "the CPU backend's provider is wrapped");
        INDArray a = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(3, 4);
        INDArray b = Nd4j.ones(DataType.FLOAT, 3, 4);
        assertSame(a.shapeInfoDataBuffer(), b.shapeInfoDataBuffer());
        // another shape, type or layout has its own
        assertNotSame(a.shapeInfoDataBuffer(), Nd4j.ones(DataType.FLOAT, 4, 3).shapeInfoDataBuffer());
        assertNotSame(a.shapeInfoDataBuffer(), Nd4j.ones(DataType.DOUBLE, 3, 4).shapeInfoDataBuffer());
        INDArray t = a.transpose();
        assertArrayEquals(new long[] {1, 4}, t.stride());
        assertNotSame(a.shapeInfoDataBuffer(), t.shapeInfoDataBuffer());

        INDArray sum = a.add(b);
        assertEquals(13.0, sum.getDouble(2, 3), 0.0);
        assertEquals(90.0, sum.sumNumber().doubleValue(), 0.0);
        assertEquals(5.0, t.getDouble(0, 1), 0.0);
        assertEquals(a.mmul(t).getDouble(0, 0), 1 + 4 + 9 + 16, 0.0);
    }
}
