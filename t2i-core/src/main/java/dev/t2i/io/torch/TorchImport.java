package dev.t2i.io.torch;

import dev.t2i.io.Safetensors;
import dev.t2i.io.TensorFormatException;
import dev.t2i.nn.ParamSpec;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reads a graph's parameters out of a PyTorch/Hugging Face state dict, checking names and shapes. */
public final class TorchImport {
    private TorchImport() {
    }

    /**
     * Every parameter of {@code specs}, converted to the graph's layout.
     *
     * @param kind what the file is, for messages (e.g. "checkpoint", "CLIP checkpoint")
     * @param hint the likely fix when a parameter is missing
     */
    public static Map<String, INDArray> read(Safetensors st, Collection<ParamSpec> specs, String kind, String hint) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (ParamSpec spec : specs) {
            if (!st.contains(spec.name())) {
                throw new TensorFormatException(kind + " " + st.path() + " lacks parameter '" + spec.name() + "' ("
                        + hint + ")");
            }
            long[] shape = st.entry(spec.name()).shape();
            if (!Arrays.equals(shape, spec.torchShape())) {
                throw new TensorFormatException("parameter '" + spec.name() + "' in " + st.path() + " has shape "
                        + Arrays.toString(shape) + ", the config implies " + Arrays.toString(spec.torchShape()));
            }
            values.put(spec.name(), spec.layout().fromTorch(st.getFloat(spec.name())));
        }
        return values;
    }
}
