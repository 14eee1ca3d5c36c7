package dev.t2i.dit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonPOJOBuilder;
import dev.t2i.T2iException;
import java.util.Locale;

/**
 * Architecture of a DiT, with the reference implementation's constructor-argument names so that
 * its {@code config.json} reads directly (fields it leaves out take the reference's CIFAR-10
 * values). Immutable and valid once made: the constructor rejects impossible shapes with a
 * message that names the field. Build one with {@link #builder()}.
 *
 * @param variant      which member of the family
 * @param imgSize      image height and width in pixels
 * @param patchSize    patch height and width; divides imgSize
 * @param inChannels   image channels
 * @param embedDim     transformer width D
 * @param depth        number of blocks
 * @param numHeads     attention heads; divide D
 * @param mlpRatio     MLP hidden width / D
 * @param contextDim   width of the text tokens (text variant)
 * @param contextLen   number of text tokens (77 for CLIP)
 * @param numClasses   number of classes without the null class (class variant)
 * @param adaln        how the conditioning modulates each block
 * @param textPool     text variant: also add the text tokens' mean, projected, to the time
 *                     embedding that drives adaLN, so every block is modulated by the caption and
 *                     not only told it through cross-attention (not in the reference; off by default)
 * @param textCentering text variant: read the text tokens through a {@link TextCentering} fitted
 *                     to the training captions, for untrained text towers whose captions all look
 *                     alike (not in the reference; off by default)
 * @param products     the number type of the layers' matrix products: {@code float32} (the
 *                     reference) or {@code bfloat16}, bf16 operands and results with single-precision
 *                     weights, activations and gradients elsewhere, about twice as fast where the CPU
 *                     multiplies bf16 natively (see {@link Products})
 */
@JsonDeserialize(builder = DitConfig.Builder.class)
public record DitConfig(
        @JsonProperty("variant") Variant variant,
        @JsonProperty("img_size") int imgSize,
        @JsonProperty("patch_size") int patchSize,
        @JsonProperty("in_channels") int inChannels,
        @JsonProperty("embed_dim") int embedDim,
        @JsonProperty("depth") int depth,
        @JsonProperty("num_heads") int numHeads,
        @JsonProperty("mlp_ratio") double mlpRatio,
        @JsonProperty("context_dim") int contextDim,
        @JsonProperty("context_len") int contextLen,
        @JsonProperty("num_classes") int numClasses,
        @JsonProperty("adaln") AdaLn adaln,
        @JsonProperty("text_pool") boolean textPool,
        @JsonProperty("text_centering") boolean textCentering,
        @JsonProperty("products") Products products) {

    /** The members of the DiT family. */
    public enum Variant {
        /** Text-conditional: cross-attention over CLIP tokens (the reference's TextConditionalDiT). */
        TEXT,
        /** Class-conditional: a learned class embedding added to the time embedding. */
        CLASS,
        /** Unconditional. */
        UNCONDITIONAL;

        /** The name in config files and on the command line. */
        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code text}, {@code class} or {@code unconditional}. */
        @JsonCreator
        public static Variant of(String name) {
            for (Variant v : values()) {
                if (v.id().equals(name)) {
                    return v;
                }
            }
            throw new T2iException("invalid DiT config: variant = " + name + " (use text, class or unconditional)");
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** How the conditioning vector modulates the blocks. */
    public enum AdaLn {
        /** Scale and shift from c, as the reference. */
        PLAIN,
        /** The DiT paper's adaLN-Zero: SiLU(c) drives scale, shift and a residual gate, all starting at zero. */
        ZERO;

        /** The name in config files. */
        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code plain} or {@code zero}. */
        @JsonCreator
        public static AdaLn of(String name) {
            for (AdaLn a : values()) {
                if (a.id().equals(name)) {
                    return a;
                }
            }
            throw new T2iException("invalid DiT config: adaln = " + name + " (use plain, the reference, or zero,"
                    + " adaLN-Zero)");
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /**
     * The number type of the layers' matrix products (the fully connected layers, fused
     * projections and patch embedding; attention's small batched products stay in float32).
     */
    public enum Products {
        /** Single precision throughout: the reference. */
        FLOAT32,
        /**
         * Each product casts its operands to bfloat16 and its result back, forward and backward:
         * parameters, optimizer state, activations between products and reductions stay in
         * single precision, as PyTorch's CPU autocast does. oneDNN runs these products at up to
         * twice single precision's rate on CPUs with AVX512_BF16; on a CPU without it they run
         * in float32, with a warning ({@link dev.t2i.platform.CpuFeatures#multipliesBfloat16}).
         */
        BFLOAT16;

        /** The name in config files. */
        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code float32} or {@code bfloat16}. */
        @JsonCreator
        public static Products of(String name) {
            for (Products p : values()) {
                if (p.id().equals(name)) {
                    return p;
                }
            }
            throw new T2iException("invalid DiT config: products = " + name + " (use float32, the reference, or"
                    + " bfloat16)");
        }

        @Override
        public String toString() {
            return id();
        }
    }

    /** Checks every field; throws {@link T2iException} naming the first bad one. */
    public DitConfig {
        if (variant == null) {
            throw bad("variant", null, "use text, class or unconditional");
        }
        if (adaln == null) {
            throw bad("adaln", null, "use plain or zero");
        }
        if (products == null) {
            throw bad("products", null, "use float32 or bfloat16");
        }
        positive("img_size", imgSize);
        positive("patch_size", patchSize);
        positive("in_channels", inChannels);
        positive("embed_dim", embedDim);
        positive("depth", depth);
        positive("num_heads", numHeads);
        if (imgSize % patchSize != 0) {
            throw new T2iException("invalid DiT config: img_size " + imgSize + " is not divisible by patch_size "
                    + patchSize + " (choose a patch size that divides the image size)");
        }
        if (embedDim % numHeads != 0) {
            throw new T2iException("invalid DiT config: num_heads " + numHeads + " does not divide embed_dim "
                    + embedDim + " (choose heads that divide the width)");
        }
        if (embedDim % 4 != 0) {
            throw bad("embed_dim", embedDim, "the 2-D sin-cos position embedding needs a multiple of 4");
        }
        if (!(mlpRatio > 0)) {
            throw bad("mlp_ratio", mlpRatio, "use a positive ratio such as 4.0");
        }
        positive("context_dim", contextDim);
        positive("context_len", contextLen);
        positive("num_classes", numClasses);
        if (textPool && variant != Variant.TEXT) {
            throw bad("text_pool", true, "only the text variant has text to pool; remove it");
        }
        if (textCentering && variant != Variant.TEXT) {
            throw bad("text_centering", true, "only the text variant has text tokens to centre; remove it");
        }
    }

    /** A builder starting from the reference TextConditionalDiT at the CIFAR-10 configuration. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder().variant(variant).imgSize(imgSize).patchSize(patchSize).inChannels(inChannels)
                .embedDim(embedDim).depth(depth).numHeads(numHeads).mlpRatio(mlpRatio).contextDim(contextDim)
                .contextLen(contextLen).numClasses(numClasses).adaln(adaln).textPool(textPool)
                .textCentering(textCentering).products(products);
    }

    /** The reference TextConditionalDiT at the CIFAR-10 configuration. */
    public static DitConfig seedText() {
        return builder().build();
    }

    /** The same trunk as another variant of the family (only text keeps pooled text). */
    public DitConfig withVariant(Variant v) {
        return toBuilder().variant(v).textPool(textPool && v == Variant.TEXT)
                .textCentering(textCentering && v == Variant.TEXT).build();
    }

    /** The same model with another text width (to match a text encoder). */
    public DitConfig withContextDim(int dim) {
        return toBuilder().contextDim(dim).build();
    }

    /** The same model with another number of classes (to match a data set). */
    public DitConfig withNumClasses(int n) {
        return toBuilder().numClasses(n).build();
    }

    /** Patches per side. */
    public int grid() {
        return imgSize / patchSize;
    }

    /** Image tokens. */
    public int tokens() {
        return grid() * grid();
    }

    /** Width of the conditioning vector (time embedding, class embedding): 4·D. */
    public int condDim() {
        return 4 * embedDim;
    }

    /** Hidden width of the MLP. */
    public int mlpHidden() {
        return (int) Math.round(embedDim * mlpRatio);
    }

    /** Values one patch of the output holds: p·p·C. */
    public int patchValues() {
        return patchSize * patchSize * inChannels;
    }

    @JsonIgnore
    public boolean isText() {
        return variant == Variant.TEXT;
    }

    @JsonIgnore
    public boolean isClass() {
        return variant == Variant.CLASS;
    }

    @JsonIgnore
    public boolean adalnZero() {
        return adaln == AdaLn.ZERO;
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw bad(field, value, "it must be a positive integer");
        }
    }

    private static T2iException bad(String field, Object value, String fix) {
        return new T2iException("invalid DiT config: " + field + " = " + value + " (" + fix + ")");
    }

    /**
     * Named fields with the reference's values as defaults; also how config files are read, so a
     * field a file leaves out takes the same default as one a program leaves unset.
     */
    @JsonPOJOBuilder(withPrefix = "")
    @JsonIgnoreProperties(ignoreUnknown = false)
    public static final class Builder {
        private Variant variant = Variant.TEXT;
        private int imgSize = 32;
        private int patchSize = 4;
        private int inChannels = 3;
        private int embedDim = 256;
        private int depth = 6;
        private int numHeads = 8;
        private double mlpRatio = 4.0;
        private int contextDim = 512;
        private int contextLen = 77;
        private int numClasses = 10;
        private AdaLn adaln = AdaLn.PLAIN;
        private boolean textPool;
        private boolean textCentering;
        private Products products = Products.FLOAT32;

        private Builder() {
        }

        @JsonProperty("variant")
        public Builder variant(Variant v) {
            this.variant = v;
            return this;
        }

        @JsonProperty("img_size")
        public Builder imgSize(int v) {
            this.imgSize = v;
            return this;
        }

        @JsonProperty("patch_size")
        public Builder patchSize(int v) {
            this.patchSize = v;
            return this;
        }

        @JsonProperty("in_channels")
        public Builder inChannels(int v) {
            this.inChannels = v;
            return this;
        }

        @JsonProperty("embed_dim")
        public Builder embedDim(int v) {
            this.embedDim = v;
            return this;
        }

        @JsonProperty("depth")
        public Builder depth(int v) {
            this.depth = v;
            return this;
        }

        @JsonProperty("num_heads")
        public Builder numHeads(int v) {
            this.numHeads = v;
            return this;
        }

        @JsonProperty("mlp_ratio")
        public Builder mlpRatio(double v) {
            this.mlpRatio = v;
            return this;
        }

        @JsonProperty("context_dim")
        public Builder contextDim(int v) {
            this.contextDim = v;
            return this;
        }

        @JsonProperty("context_len")
        public Builder contextLen(int v) {
            this.contextLen = v;
            return this;
        }

        @JsonProperty("num_classes")
        public Builder numClasses(int v) {
            this.numClasses = v;
            return this;
        }

        @JsonProperty("adaln")
        public Builder adaln(AdaLn v) {
            this.adaln = v;
            return this;
        }

        @JsonProperty("text_pool")
        public Builder textPool(boolean v) {
            this.textPool = v;
            return this;
        }

        @JsonProperty("text_centering")
        public Builder textCentering(boolean v) {
            this.textCentering = v;
            return this;
        }

        @JsonProperty("products")
        public Builder products(Products v) {
            this.products = v;
            return this;
        }

        /** The config; throws {@link T2iException} naming the first invalid field. */
        public DitConfig build() {
            return new DitConfig(variant, imgSize, patchSize, inChannels, embedDim, depth, numHeads, mlpRatio,
                    contextDim, contextLen, numClasses, adaln, textPool, textCentering, products);
        }
    }
}
