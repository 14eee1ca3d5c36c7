package dev.t2i.tokenizer;

import dev.t2i.T2iException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A compact binary form of a BPE vocabulary, for storing a tokenizer inside a model file.
 * Layout, gzip-compressed: magic, format version, token count, each token (modified UTF-8, in id
 * order), merge count, each merge as the ids of its left and right tokens (in rank order).
 */
final class TokenizerBytes {
    private static final int MAGIC = 0x54324250; // "T2BP"
    private static final int VERSION = 1;
    private static final String SOURCE = "tokenizer stored in the model file";

    private TokenizerBytes() {
    }

    static byte[] write(BpeVocabulary vocabulary, BytePairEncoder encoder) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(buffer, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(vocabulary.tokens().size());
            for (String token : vocabulary.tokens()) {
                out.writeUTF(token);
            }
            out.writeInt(vocabulary.merges().size());
            for (BpeVocabulary.Merge merge : vocabulary.merges()) {
                // The encoder has checked that both parts are tokens, so ids are enough.
                out.writeInt(encoder.idOf(merge.left()));
                out.writeInt(encoder.idOf(merge.right()));
            }
        } catch (IOException e) {
            // Only a token over 64 KB of UTF-8 can fail here; no real vocabulary has one.
            throw new IllegalStateException("cannot serialize the tokenizer: " + e.getMessage(), e);
        }
        return buffer.toByteArray();
    }

    static BpeVocabulary read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(new ByteArrayInputStream(bytes)))) {
            if (in.readInt() != MAGIC) {
                throw corrupt("it does not hold a CLIP tokenizer");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw corrupt("its tokenizer format version " + version + " is not " + VERSION);
            }
            int tokenCount = in.readInt();
            checkCount(tokenCount);
            List<String> tokens = new ArrayList<>(tokenCount);
            for (int i = 0; i < tokenCount; i++) {
                tokens.add(in.readUTF());
            }
            int mergeCount = in.readInt();
            checkCount(mergeCount);
            List<BpeVocabulary.Merge> merges = new ArrayList<>(mergeCount);
            for (int i = 0; i < mergeCount; i++) {
                merges.add(new BpeVocabulary.Merge(token(tokens, in.readInt()), token(tokens, in.readInt())));
            }
            return new BpeVocabulary(tokens, merges, SOURCE);
        } catch (IOException e) {
            throw corrupt("it could not be read (" + e.getMessage() + ")");
        }
    }

    private static void checkCount(int count) {
        if (count < 0 || count > 10_000_000) {
            throw corrupt("it declares " + count + " entries");
        }
    }

    private static String token(List<String> tokens, int id) {
        if (id < 0 || id >= tokens.size()) {
            throw corrupt("a merge refers to token id " + id);
        }
        return tokens.get(id);
    }

    private static T2iException corrupt(String problem) {
        return new T2iException("the " + SOURCE + " is damaged: " + problem
                + "; re-export the model file with this version of t2i");
    }
}
