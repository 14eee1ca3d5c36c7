package dev.t2i;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.t2i.bundle.Bundle;
import dev.t2i.bundle.BundleManifest;
import dev.t2i.io.ModelArchive;
import dev.t2i.io.Safetensors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes a corpus of hostile files from good ones: truncated, bit-flipped, inflated (small files
 * that declare or expand to gigabytes) and inconsistent (parts that each look fine but disagree),
 * for every reader of the project. Nothing is committed: each run writes its corpus afresh.
 */
public final class HostileFiles {
    /**
     * One hostile input.
     *
     * @param kind       which reader takes it: bundle, checkpoint, safetensors, tar or image
     * @param name       what was done to it
     * @param file       the file
     * @param mustRefuse false where the damage may leave a valid file (a flipped bit in weights)
     */
    record Case(String kind, String name, Path file, boolean mustRefuse) {
    }

    private final Path dir;
    private final List<Case> cases = new ArrayList<>();
    private int count;

    HostileFiles(Path dir) {
        this.dir = dir;
    }

    List<Case> cases() {
        return cases;
    }

    private Path add(String kind, String name, boolean mustRefuse, String fileName, byte[] bytes) throws IOException {
        Path folder = dir.resolve(kind + "-" + (count++));
        Files.createDirectories(folder);
        Path file = folder.resolve(fileName);
        Files.write(file, bytes);
        cases.add(new Case(kind, name, file, mustRefuse));
        return file;
    }

    /** Truncations, bit flips, garbage: what a full disk, a bad copy or a fuzzer makes of any file. */
    void damaged(String kind, String fileName, byte[] good, int headerBytes, boolean flipsMayPass,
            boolean cutsMayPass) throws IOException {
        int n = good.length;
        for (int cut : new int[] {0, 1, 7, 8, 9, 64, 511, 512, n / 4, n / 2, 3 * n / 4, n - 22, n - 1}) {
            if (cut >= 0 && cut < n) {
                add(kind, "truncated to " + cut + " bytes", !cutsMayPass || cut < 64, fileName,
                        java.util.Arrays.copyOf(good, cut));
            }
        }
        SplittableRandom rng = new SplittableRandom(n);
        for (int i = 0; i < 12; i++) {
            // half the flips in the header region, where structure lives; the rest anywhere
            int at = i < 6 ? rng.nextInt(Math.min(headerBytes, n)) : rng.nextInt(n);
            byte[] b = good.clone();
            b[at] ^= (byte) (1 << rng.nextInt(8));
            add(kind, "bit flipped at byte " + at, !flipsMayPass, fileName, b);
        }
        byte[] zeros = new byte[n];
        add(kind, "all zeros", true, fileName, zeros);
        byte[] noise = new byte[Math.min(n, 1 << 16)];
        rng.nextBytes(noise);
        add(kind, "random bytes", true, fileName, noise);
        byte[] doubled = new byte[2 * n];
        System.arraycopy(good, 0, doubled, 0, n);
        System.arraycopy(good, 0, doubled, n, n);
        add(kind, "the file twice", false, fileName, doubled);
    }

    // ---- bundles and checkpoints: zips of named parts ----

    static Map<String, byte[]> parts(Path zip) throws IOException {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            for (var e : java.util.Collections.list(z.entries())) {
                parts.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return parts;
    }

    static byte[] zip(Map<String, byte[]> parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : parts.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                entry.setCompressedSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    /** Rewrites the manifest's checksums so that only the edit itself is wrong with the bundle. */
    static Map<String, byte[]> resealed(Map<String, byte[]> parts) throws IOException {
        ObjectNode manifest = (ObjectNode) ModelArchive.JSON.readTree(parts.get(Bundle.MANIFEST));
        ObjectNode listed = (ObjectNode) manifest.get("parts");
        for (var e : parts.entrySet()) {
            if (!e.getKey().equals(Bundle.MANIFEST) && listed.has(e.getKey())) {
                listed.set(e.getKey(), ModelArchive.JSON.valueToTree(BundleManifest.Part.of(e.getValue())));
            }
        }
        Map<String, byte[]> out = new LinkedHashMap<>(parts);
        out.put(Bundle.MANIFEST, ModelArchive.JSON.writeValueAsBytes(manifest));
        return out;
    }

    private static byte[] editJson(byte[] json, Consumer<ObjectNode> edit) throws IOException {
        JsonNode node = ModelArchive.JSON.readTree(json);
        edit.accept((ObjectNode) node);
        return ModelArchive.JSON.writeValueAsBytes(node);
    }

    /** A zip of {@code parts} plus one deflated part of {@code mb} megabytes of zeros. */
    static byte[] inflating(Map<String, byte[]> parts, String name, int mb) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var e : parts.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry(name));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < mb; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        return out.toByteArray();
    }

    void bundles(Path good) throws IOException {
        byte[] bytes = Files.readAllBytes(good);
        damaged("bundle", "model.t2i", bytes, 4096, true, false);
        Map<String, byte[]> p = parts(good);
        String cfg = "dit-config.json";
        add("bundle", "DiT config 16x16 over the 8x8 graph", true, "model.t2i",
                zip(resealed(with(p, cfg, editJson(p.get(cfg), n -> n.put("img_size", 16))))));
        add("bundle", "DiT config depth 3 over a 1-block graph", true, "model.t2i",
                zip(resealed(with(p, cfg, editJson(p.get(cfg), n -> n.put("depth", 3))))));
        add("bundle", "DiT config 4 channels over a 3-channel graph", true, "model.t2i",
                zip(resealed(with(p, cfg, editJson(p.get(cfg), n -> n.put("in_channels", 4))))));
        add("bundle", "DiT config patch 4 over a patch-2 graph", true, "model.t2i",
                zip(resealed(with(p, cfg, editJson(p.get(cfg), n -> n.put("patch_size", 4))))));
        add("bundle", "DiT config width 64 over a 32-wide graph", true, "model.t2i",
                zip(resealed(with(p, cfg, editJson(p.get(cfg), n -> n.put("embed_dim", 64))))));
        add("bundle", "DiT config context 64 over the 32-wide CLIP", true, "model.t2i",
                zip(resealed(with(p, cfg, editJson(p.get(cfg), n -> n.put("context_dim", 64))))));
        add("bundle", "DiT config with an unknown field", true, "model.t2i",
                zip(resealed(with(p, cfg, editJson(p.get(cfg), n -> n.put("img_sizee", 8))))));
        add("bundle", "DiT config of a negative size", true, "model.t2i",
                zip(resealed(with(p, cfg, editJson(p.get(cfg), n -> n.put("img_size", -8))))));
        add("bundle", "DiT config not JSON", true, "model.t2i",
                zip(resealed(with(p, cfg, "{\"img_size\": ".getBytes(StandardCharsets.UTF_8)))));
        String params = "dit-params.json";
        String paramsText = new String(p.get(params), StandardCharsets.UTF_8);
        add("bundle", "parameter list with a changed shape", true, "model.t2i",
                zip(resealed(with(p, params, paramsText.replaceFirst("\"shape\" : \\[ (\\d+)", "\"shape\" : [ 999")
                        .getBytes(StandardCharsets.UTF_8)))));
        add("bundle", "parameter list of numbers", true, "model.t2i",
                zip(resealed(with(p, params, "[1, 2, 3]".getBytes(StandardCharsets.UTF_8)))));
        add("bundle", "parameter list naming a missing parameter", true, "model.t2i",
                zip(resealed(with(p, params, paramsText.replaceFirst("\"name\" : \"", "\"name\" : \"nope.")
                        .getBytes(StandardCharsets.UTF_8)))));
        String graph = "dit.samediff";
        byte[] g = p.get(graph);
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 8; i++) {
            // the graph changed by hand, its checksum updated: what only SameDiff itself can notice
            byte[] t = g.clone();
            int at = i < 4 ? rng.nextInt(Math.min(2048, t.length)) : rng.nextInt(t.length);
            t[at] ^= (byte) 0xFF;
            add("bundle", "graph byte " + at + " inverted, checksum updated", false, "model.t2i",
                    zip(resealed(with(p, graph, t))));
        }
        add("bundle", "graph truncated, checksum updated", true, "model.t2i",
                zip(resealed(with(p, graph, java.util.Arrays.copyOf(g, g.length / 2)))));
        add("bundle", "graph of zeros, checksum updated", true, "model.t2i",
                zip(resealed(with(p, graph, new byte[g.length]))));
        String m = Bundle.MANIFEST;
        add("bundle", "manifest format version 99", true, "model.t2i",
                zip(with(p, m, editJson(p.get(m), n -> n.put("format_version", 99)))));
        add("bundle", "manifest sampling steps -1", true, "model.t2i",
                zip(with(p, m, editJson(p.get(m), n -> ((ObjectNode) n.get("sampling")).put("steps", -1)))));
        add("bundle", "manifest lists no parts", true, "model.t2i",
                zip(with(p, m, editJson(p.get(m), n -> n.putObject("parts")))));
        add("bundle", "manifest parts of the wrong type", true, "model.t2i",
                zip(with(p, m, editJson(p.get(m), n -> n.put("parts", "all")))));
        add("bundle", "a part deflating to 1 GB", true, "model.t2i", inflating(p, "extra.bin", 1024));
        add("bundle", "an unlisted part", true, "model.t2i", zip(with(p, "extra.json", "{}".getBytes())));
    }

    void checkpoints(Path good) throws IOException {
        Map<String, byte[]> base = parts(good);
        // the tiny run keeps no optimiser state: add a valid one, so that it can be damaged too
        Map<String, INDArray> ema = Safetensors.readAll(base.get("ema.safetensors"));
        Map<String, INDArray> opt = new LinkedHashMap<>();
        ema.forEach((k, v) -> {
            opt.put("m." + k, v.ulike().assign(0.01));
            opt.put("v." + k, v.ulike().assign(0.001));
        });
        Map<String, byte[]> p = with(base, "optimizer.safetensors", Safetensors.toBytes(opt, null));
        byte[] bytes = zip(p);
        Files.write(good, bytes);
        damaged("checkpoint", "step-00000005.t2i", bytes, 4096, true, false);
        String first = ema.keySet().iterator().next();
        // a matrix that is not square, so that its transpose has another shape
        String matrix = ema.entrySet().stream().filter(e -> e.getValue().rank() == 2
                && e.getValue().size(0) != e.getValue().size(1)).findFirst().orElseThrow().getKey();
        add("checkpoint", "EMA weight of the wrong shape", true, "step-00000005.t2i",
                zip(with(p, "ema.safetensors", tensors(ema, matrix, Nd4j.ones(DataType.FLOAT, 1, 1)))));
        add("checkpoint", "EMA weight as a scalar", true, "step-00000005.t2i",
                zip(with(p, "ema.safetensors", tensors(ema, first, Nd4j.scalar(3f)))));
        add("checkpoint", "EMA weight transposed", true, "step-00000005.t2i",
                zip(with(p, "ema.safetensors", tensors(ema, matrix, ema.get(matrix).transpose().dup()))));
        add("checkpoint", "EMA weight of integers", true, "step-00000005.t2i",
                zip(with(p, "ema.safetensors", tensors(ema, first, ema.get(first).castTo(DataType.LONG)))));
        add("checkpoint", "EMA with an unknown key", true, "step-00000005.t2i",
                zip(with(p, "ema.safetensors", tensors(ema, "blocks.7.nothing", Nd4j.ones(DataType.FLOAT, 2)))));
        Map<String, INDArray> fewer = new LinkedHashMap<>(ema);
        fewer.remove(first);
        add("checkpoint", "EMA lacking a weight", true, "step-00000005.t2i",
                zip(with(p, "ema.safetensors", Safetensors.toBytes(fewer, null))));
        String mFirst = "m." + matrix;
        add("checkpoint", "optimiser moment of the wrong shape", true, "step-00000005.t2i",
                zip(with(p, "optimizer.safetensors", tensors(opt, mFirst, Nd4j.ones(DataType.FLOAT, 3)))));
        add("checkpoint", "optimiser moment of integers", true, "step-00000005.t2i",
                zip(with(p, "optimizer.safetensors", tensors(opt, mFirst, opt.get(mFirst).castTo(DataType.INT)))));
        add("checkpoint", "optimiser entry of an unknown kind", true, "step-00000005.t2i",
                zip(with(p, "optimizer.safetensors", tensors(opt, "z." + matrix, Nd4j.ones(DataType.FLOAT, 3)))));
        Map<String, INDArray> unpaired = new LinkedHashMap<>(opt);
        unpaired.remove("v." + matrix);
        add("checkpoint", "optimiser m without its v", true, "step-00000005.t2i",
                zip(with(p, "optimizer.safetensors", Safetensors.toBytes(unpaired, null))));
        add("checkpoint", "optimiser state that is not safetensors", true, "step-00000005.t2i",
                zip(with(p, "optimizer.safetensors", "not tensors".getBytes(StandardCharsets.UTF_8))));
        add("checkpoint", "run state not JSON", true, "step-00000005.t2i",
                zip(with(p, "state.json", "{\"step\": ".getBytes(StandardCharsets.UTF_8))));
        add("checkpoint", "run state with a text step", true, "step-00000005.t2i",
                zip(with(p, "state.json", editJson(p.get("state.json"), n -> n.put("step", "five")))));
        add("checkpoint", "DiT config 16x16 over the 8x8 graph", true, "step-00000005.t2i",
                zip(with(p, "dit-config.json", editJson(p.get("dit-config.json"), n -> n.put("img_size", 16)))));
        add("checkpoint", "no graph", true, "step-00000005.t2i", zip(without(p, "dit.samediff")));
        add("checkpoint", "a part deflating to 1 GB", true, "step-00000005.t2i",
                inflating(p, "optimizer2.safetensors", 1024));
    }

    private static byte[] tensors(Map<String, INDArray> all, String key, INDArray value) {
        Map<String, INDArray> out = new LinkedHashMap<>(all);
        out.put(key, value);
        return Safetensors.toBytes(out, null);
    }

    private static Map<String, byte[]> with(Map<String, byte[]> parts, String name, byte[] bytes) {
        Map<String, byte[]> out = new LinkedHashMap<>(parts);
        out.put(name, bytes);
        return out;
    }

    private static Map<String, byte[]> without(Map<String, byte[]> parts, String name) {
        Map<String, byte[]> out = new LinkedHashMap<>(parts);
        out.remove(name);
        return out;
    }

    // ---- safetensors ----

    /** A safetensors file with the given header JSON and data bytes. */
    static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    void safetensors() throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("a", Nd4j.create(new float[24], new long[] {2, 3, 4}, 'c').addi(0.5f));
        t.put("b", Nd4j.createFromArray(1L, 2L, 3L));
        byte[] good = Safetensors.toBytes(t, Map.of("format", "pt"));
        damaged("safetensors", "w.safetensors", good, 200, true, false);
        String[][] headers = {
            {"shape [2^32, 2^32] with 0 bytes", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}"},
            {"shape [2^62] with 0 bytes", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}"},
            {"shape [2^62] of U8", "{\"a\":{\"dtype\":\"U8\",\"shape\":[4611686018427387904],\"data_offsets\":[0,16]}}"},
            {"shape [2^21, 2^21, 2^21, 8]", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2097152,2097152,2097152,8],\"data_offsets\":[0,0]}}"},
            {"negative dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}"},
            {"text dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[\"4\"],\"data_offsets\":[0,16]}}"},
            {"fractional dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4.5],\"data_offsets\":[0,16]}}"},
            {"shape that is an object", "{\"a\":{\"dtype\":\"F32\",\"shape\":{\"n\":4},\"data_offsets\":[0,16]}}"},
            {"40 dimensions", "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + "1,".repeat(39) + "4],\"data_offsets\":[0,16]}}"},
            {"offsets past the data", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,1600]}}"},
            {"negative offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[-16,0]}}"},
            {"offsets reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,0]}}"},
            {"offsets of 2^63-1", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,9223372036854775807]}}"},
            {"three offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8,16]}}"},
            {"offsets as text", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":\"0-16\"}}"},
            {"unknown dtype", "{\"a\":{\"dtype\":\"F8\",\"shape\":[4],\"data_offsets\":[0,16]}}"},
            {"dtype a number", "{\"a\":{\"dtype\":5,\"shape\":[4],\"data_offsets\":[0,16]}}"},
            {"no dtype", "{\"a\":{\"shape\":[4],\"data_offsets\":[0,16]}}"},
            {"tensor that is a string", "{\"a\":\"F32\"}"},
            {"metadata of objects", "{\"__metadata__\":{\"k\":{\"n\":1}},\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"},
            {"metadata an array", "{\"__metadata__\":[1,2],\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"},
            {"metadata a number", "{\"__metadata__\":12}"},
            {"header an array", "[1,2,3]"},
            {"header nested 100,000 deep", "[".repeat(100_000)},
            {"header not JSON", "{\"a\": "},
            {"size mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}"},
        };
        for (String[] h : headers) {
            add("safetensors", h[0], true, "w.safetensors", safetensors(h[1], 16));
        }
        ByteBuffer huge = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        add("safetensors", "header length 2^63-1", true, "w.safetensors", huge.array());
        ByteBuffer negative = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(-8);
        add("safetensors", "header length -8", true, "w.safetensors", negative.array());
        ByteBuffer big = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(99L << 20);
        add("safetensors", "header length 99 MB in a 64-byte file", true, "w.safetensors", big.array());
    }

    // ---- tar.gz (the CIFAR-10 binary archive) ----

    /** A ustar header; {@code size256} writes the size in GNU base-256 from that first byte instead of octal. */
    public static byte[] tarHeader(String name, long size, Integer size256) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        if (size256 == null) {
            put(h, 124, String.format("%011o", size));
        } else {
            h[124] = (byte) (int) size256;
            for (int i = 135; i > 124; i--) {
                h[i] = (byte) size;
                size >>>= 8;
            }
        }
        put(h, 136, "00000000000");
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    /** CIFAR-10's layout with two records per batch file. */
    static Map<String, byte[]> cifarFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"));
        for (String n : names) {
            byte[] b = new byte[2 * 3073];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (i * 7);
            }
            b[0] = 1;
            b[3073] = 2;
            files.put("cifar-10-batches-bin/" + n, b);
        }
        return files;
    }

    static byte[] tar(Map<String, byte[]> files, String special, long specialSize, Integer size256) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (var e : files.entrySet()) {
            boolean odd = e.getKey().equals(special);
            out.writeBytes(tarHeader(e.getKey(), odd ? specialSize : e.getValue().length, odd ? size256 : null));
            out.writeBytes(e.getValue());
            out.writeBytes(new byte[(512 - e.getValue().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    void tars() throws IOException {
        Map<String, byte[]> files = cifarFiles();
        byte[] raw = tar(files, null, 0, null);
        String name = "cifar-10-binary.tar.gz";
        // the gzip stream damaged, and the tar inside it damaged then packed again
        damaged("tar", name, gzip(raw), 64, true, true);
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < 10; i++) {
            byte[] b = raw.clone();
            int at = rng.nextInt(i < 5 ? 512 : b.length);
            b[at] ^= (byte) (1 << rng.nextInt(8));
            add("tar", "tar bit flipped at byte " + at + ", gzipped again", false, name, gzip(b));
        }
        for (int cut : new int[] {100, 512, 600, raw.length / 2, raw.length - 1100}) {
            add("tar", "tar cut at " + cut + ", gzipped again", true, name, gzip(java.util.Arrays.copyOf(raw, cut)));
        }
        String first = "cifar-10-batches-bin/data_batch_1.bin";
        add("tar", "negative member size (base-256)", true, name, gzip(tar(files, first, 5, 0xFF)));
        add("tar", "member size 2^62 (base-256)", true, name, gzip(tar(files, first, 1L << 62, 0x80)));
        add("tar", "member size 2^33 (octal)", true, name, gzip(tar(files, first, 1L << 33, null)));
        add("tar", "member size 1 byte short", true, name, gzip(tar(files, first, 2 * 3073 - 1, null)));
        // a member that inflates to 100 MB of zeros from a file of about 100 KB
        Map<String, byte[]> bomb = new LinkedHashMap<>(files);
        bomb.put(first, new byte[100 << 20]);
        add("tar", "member inflating to 100 MB", true, name, gzip(tar(bomb, null, 0, null)));
    }

    // ---- images ----

    void images() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, (x * 16) << 16 | (y * 16) << 8 | 0x40);
            }
        }
        for (String format : new String[] {"png", "jpg", "bmp", "gif"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, format.equals("jpg") ? "jpeg" : format, out);
            damaged("image", "init." + format, out.toByteArray(), 64, true, true);
        }
        add("image", "PNG declaring 25000x25000 pixels", true, "init.png", pngDeclaring(25000, 25000));
        add("image", "PNG declaring 0x0 pixels", true, "init.png", pngDeclaring(0, 0));
        add("image", "PNG declaring 2^31-1 x 1 pixels", true, "init.png", pngDeclaring(Integer.MAX_VALUE, 1));
        ByteBuffer bmp = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        bmp.put((byte) 'B').put((byte) 'M').putInt(64).putInt(0).putInt(54).putInt(40).putInt(30000).putInt(30000)
                .putShort((short) 1).putShort((short) 24);
        add("image", "BMP declaring 30000x30000 pixels", true, "init.bmp", bmp.array());
    }

    /** A PNG signature and an IHDR chunk (with a correct CRC) declaring the size, then nothing. */
    static byte[] pngDeclaring(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(w).putInt(h)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 17 + 4 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue());
        return b.array();
    }
}
