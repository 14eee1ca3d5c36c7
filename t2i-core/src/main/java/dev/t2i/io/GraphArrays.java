package dev.t2i.io;

import java.nio.ByteBuffer;
import org.nd4j.autodiff.samediff.serde.FlatBuffersMapper;
import org.nd4j.graph.FlatArray;
import org.nd4j.graph.FlatGraph;
import org.nd4j.graph.FlatVariable;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Checks the arrays of a serialised SameDiff graph before ND4J reads them: SameDiff copies each
 * array through a native op that trusts the shape, strides and length written in the file, so a
 * changed one reads outside its buffer and brings the JVM down (seen with the oneDNN build) rather
 * than failing with an exception.
 */
final class GraphArrays {
    /** libnd4j's largest rank. */
    private static final long MAX_RANK = 32;

    private GraphArrays() {
    }

    /** Throws an {@link IllegalArgumentException} naming the first array whose layout does not fit its data. */
    static void check(ByteBuffer graph) {
        FlatGraph g = FlatGraph.getRootAsFlatGraph(graph.duplicate());
        for (int i = 0; i < g.variablesLength(); i++) {
            FlatVariable v = g.variables(i);
            FlatArray a = v == null ? null : v.ndarray();
            if (a == null || a.shapeLength() == 0) {
                continue;
            }
            String name = v.name();
            long rank = a.shape(0);
            if (rank < 0 || rank > MAX_RANK || a.shapeLength() != 2 * rank + 4) {
                throw bad(name, "a shape record of " + a.shapeLength() + " values for rank " + rank);
            }
            long count = 1;
            long lastOffset = 0;
            for (int d = 1; d <= rank; d++) {
                long dim = a.shape(d);
                long stride = a.shape((int) (d + rank));
                if (dim < 0 || stride < 0) {
                    throw bad(name, "a negative size or stride");
                }
                count = Math.multiplyExact(count, dim);
                lastOffset = Math.addExact(lastOffset, Math.multiplyExact(Math.max(0, dim - 1), stride));
            }
            DataType type = FlatBuffersMapper.getDataTypeFromByte(a.dtype());
            if (type == null || !type.isNumerical() && type != DataType.BOOL) {
                continue;
            }
            long bytes = Math.multiplyExact(count, type.width());
            if (bytes != a.bufferLength() || (count > 0 && lastOffset >= count)) {
                throw bad(name, count + " values of " + type + " laid out over " + (lastOffset + 1) + " in "
                        + a.bufferLength() + " bytes");
            }
        }
    }

    private static IllegalArgumentException bad(String variable, String what) {
        return new IllegalArgumentException("array '" + variable + "' has " + what);
    }
}
