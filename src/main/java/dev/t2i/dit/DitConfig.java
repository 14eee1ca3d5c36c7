package dev.t2i.dit;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.t2i.T2iException;

/**
 * Architecture of a DiT, with the reference implementation's constructor-argument names so that
 * its {@code config.json} reads directly. Immutable; {@link #validate()} rejects impossible shapes
 * with a message that names the field.
 *
 * @param variant      which member of the family: {@code text}, {@code class} or {@code unconditional}
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
 * @param adaln        {@code plain} (the reference) or {@code zero} (DiT paper's gated adaLN-Zero)
 * @param textPool     text variant: also add the text tokens' mean, projected, to the time
 *                     embedding that drives adaLN, so every block is modulated by the caption and
 *                     not only told it through cross-attention (not in the reference; off by default)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record DitConfig(
        @JsonProperty("variant") String variant,
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
        @JsonProperty("adaln") String adaln,
        @JsonProperty("text_pool") boolean textPool) {

    public static final String TEXT = "text";
    public static final String CLASS = "class";
    public static final String UNCONDITIONAL = "unconditional";

    /** Fills defaults for fields a config file left out (the reference's CIFAR-10 defaults). */
    public DitConfig {
        variant = variant == null ? TEXT : variant;
        imgSize = imgSize == 0 ? 32 : imgSize;
        patchSize = patchSize == 0 ? 4 : patchSize;
        inChannels = inChannels == 0 ? 3 : inChannels;
        embedDim = embedDim == 0 ? 256 : embedDim;
        depth = depth == 0 ? 6 : depth;
        numHeads = numHeads == 0 ? 8 : numHeads;
        mlpRatio = mlpRatio == 0 ? 4.0 : mlpRatio;
        contextDim = contextDim == 0 ? 512 : contextDim;
        contextLen = contextLen == 0 ? 77 : contextLen;
        numClasses = numClasses == 0 ? 10 : numClasses;
        adaln = adaln == null ? "plain" : adaln;
    }

    /** The reference TextConditionalDiT at the CIFAR-10 configuration. */
    public static DitConfig seedText() {
        return new DitConfig(TEXT, 32, 4, 3, 256, 6, 8, 4.0, 512, 77, 10, "plain", false);
    }

    /** The same trunk as another variant of the family. */
    public DitConfig withVariant(String v) {
        return new DitConfig(v, imgSize, patchSize, inChannels, embedDim, depth, numHeads, mlpRatio, contextDim,
                contextLen, numClasses, adaln, textPool && TEXT.equals(v));
    }

    /** The same model with another text width (to match a text encoder). */
    public DitConfig withContextDim(int dim) {
        return new DitConfig(variant, imgSize, patchSize, inChannels, embedDim, depth, numHeads, mlpRatio, dim,
                contextLen, numClasses, adaln, textPool);
    }

    /** The same model with another number of classes (to match a data set). */
    public DitConfig withNumClasses(int n) {
        return new DitConfig(variant, imgSize, patchSize, inChannels, embedDim, depth, numHeads, mlpRatio, contextDim,
                contextLen, n, adaln, textPool);
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
        return TEXT.equals(variant);
    }

    @JsonIgnore
    public boolean isClass() {
        return CLASS.equals(variant);
    }

    public boolean adalnZero() {
        return "zero".equals(adaln);
    }

    /** Checks every field; throws {@link T2iException} naming the first bad one. */
    public DitConfig validate() {
        if (!TEXT.equals(variant) && !CLASS.equals(variant) && !UNCONDITIONAL.equals(variant)) {
            throw bad("variant", variant, "use text, class or unconditional");
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
        if (isText()) {
            positive("context_dim", contextDim);
            positive("context_len", contextLen);
        }
        if (isClass()) {
            positive("num_classes", numClasses);
        }
        if (textPool && !isText()) {
            throw bad("text_pool", true, "only the text variant has text to pool; remove it");
        }
        if (!"plain".equals(adaln) && !"zero".equals(adaln)) {
            throw bad("adaln", adaln, "use plain (the reference) or zero (adaLN-Zero)");
        }
        return this;
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw bad(field, value, "it must be a positive integer");
        }
    }

    private static T2iException bad(String field, Object value, String fix) {
        return new T2iException("invalid DiT config: " + field + " = " + value + " (" + fix + ")");
    }
}
