package dev.t2i.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a parameter is stored in a PyTorch state dict relative to its layout in the SameDiff graph.
 * The graph keeps Linear weights as [in, out] so that {@code x·W} needs no transpose at run time.
 */
public enum TorchLayout {
    /** Same shape and order in both. */
    SAME,
    /** PyTorch Linear weight [out, in]; the graph holds [in, out]. */
    TRANSPOSED,
    /** PyTorch Conv2d weight [out, in, kh, kw] with kernel = stride; the graph holds [in·kh·kw, out]. */
    CONV_AS_LINEAR;

    /** Converts a tensor read from a PyTorch checkpoint into the graph's layout. */
    public INDArray fromTorch(INDArray torch) {
        return switch (this) {
            case SAME -> torch;
            case TRANSPOSED -> torch.transpose().dup('c');
            case CONV_AS_LINEAR -> torch.reshape('c', torch.size(0), torch.length() / torch.size(0)).transpose().dup('c');
        };
    }

    /** The PyTorch shape of a parameter whose graph shape is given ({@code convShape} for conv kernels). */
    public long[] torchShape(long[] graphShape, long[] convShape) {
        return switch (this) {
            case SAME -> graphShape;
            case TRANSPOSED -> new long[] {graphShape[1], graphShape[0]};
            case CONV_AS_LINEAR -> convShape;
        };
    }
}
