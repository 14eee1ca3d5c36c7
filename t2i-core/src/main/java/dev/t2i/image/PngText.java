package dev.t2i.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Node;

/**
 * PNG text chunks (keyword → text), written and read with the JDK's PNG codec. Text that fits
 * Latin-1 goes into {@code tEXt} chunks, the form most tools read; other text into UTF-8
 * {@code iTXt}. Nothing time-dependent is written, so the same image and texts give the same bytes.
 */
public final class PngText {
    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngText() {
    }

    /** The image encoded as PNG with the given text chunks, in map order. */
    public static byte[] encode(BufferedImage image, Map<String, String> texts) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        // in memory, never ImageIO's file cache: that one registers a shutdown hook on first use, which
        // fails once the JVM is stopping, and a server answers its last requests exactly then
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            meta.mergeTree(FORMAT, textTree(texts));
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, meta), param);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("PNG encoding failed in memory", e);
        } finally {
            writer.dispose();
        }
    }

    private static IIOMetadataNode textTree(Map<String, String> texts) throws IIOInvalidTreeException {
        IIOMetadataNode root = new IIOMetadataNode(FORMAT);
        IIOMetadataNode latin = new IIOMetadataNode("tEXt");
        IIOMetadataNode utf8 = new IIOMetadataNode("iTXt");
        for (Map.Entry<String, String> e : texts.entrySet()) {
            String value = e.getValue();
            if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(value)) {
                IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                entry.setAttribute("keyword", e.getKey());
                entry.setAttribute("value", value);
                latin.appendChild(entry);
            } else {
                IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                entry.setAttribute("keyword", e.getKey());
                entry.setAttribute("compressionFlag", "FALSE");
                entry.setAttribute("compressionMethod", "0");
                entry.setAttribute("languageTag", "");
                entry.setAttribute("translatedKeyword", "");
                entry.setAttribute("text", value);
                utf8.appendChild(entry);
            }
        }
        if (latin.hasChildNodes()) {
            root.appendChild(latin);
        }
        if (utf8.hasChildNodes()) {
            root.appendChild(utf8);
        }
        return root;
    }

    /** The text chunks of a PNG (tEXt, zTXt and iTXt), keyword → text; empty when there are none. */
    public static Map<String, String> read(byte[] png) {
        Map<String, String> texts = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("not an image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                if (!reader.getFormatName().equalsIgnoreCase("png")) {
                    return texts;
                }
                Node root = reader.getImageMetadata(0).getAsTree(FORMAT);
                for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
                    for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
                        IIOMetadataNode entry = (IIOMetadataNode) e;
                        switch (entry.getNodeName()) {
                            case "tEXtEntry", "zTXtEntry" -> texts.put(entry.getAttribute("keyword"),
                                    entry.getAttribute(entry.hasAttribute("value") ? "value" : "text"));
                            case "iTXtEntry" -> texts.put(entry.getAttribute("keyword"), entry.getAttribute("text"));
                            default -> { }
                        }
                    }
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the PNG: " + e.getMessage(), e);
        }
        return texts;
    }
}
