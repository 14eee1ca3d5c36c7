package dev.t2i.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class OpProfileTest {
    @Test
    void aProductsFloatingPointOperationsAreTwiceItsMultiplyAdds() {
        // [b, m, k]·[b, k, n]: 2·b·m·n·k, with A as stored or transposed
        assertEquals(2L * 6 * 64 * 64 * 32, OpProfile.productFlops(Nd4j.create(6, 64, 32), Nd4j.create(6, 64, 64)));
        assertEquals(2L * 6 * 64 * 64 * 32, OpProfile.productFlops(Nd4j.create(6, 32, 64), Nd4j.create(6, 64, 64)));
        assertEquals(2L * 2048 * 576 * 193, OpProfile.productFlops(Nd4j.create(2048, 193), Nd4j.create(2048, 576)));
    }

    @Test
    void theProfileListsEachProductByShapeWithItsRate() {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.placeHolder("a", DataType.FLOAT, 8, 16);
        SDVariable w = sd.var("w", Nd4j.rand(DataType.FLOAT, 16, 4));
        sd.mmul("y", a, w).sum("loss");
        OpProfile profile = new OpProfile();
        sd.addListeners(profile);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> in = Map.of("a", Nd4j.rand(DataType.FLOAT, 8, 16));
        Graphs.output(sd, in, "loss");
        Graphs.output(sd, in, "loss");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        profile.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), 2);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("op_ms matmul") && l.endsWith(" 1 ops")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("product_ms matmul [8,16]x[16,4]") && l.endsWith("GFLOP/s")),
                lines.toString());
        assertTrue(lines.get(lines.size() - 1).matches("products [0-9.]+ GFLOP per run, [0-9.]+ GFLOP/s per thread"),
                lines.toString());
    }
}
