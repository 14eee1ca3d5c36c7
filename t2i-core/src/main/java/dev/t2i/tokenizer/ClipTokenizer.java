package dev.t2i.tokenizer;

import dev.t2i.T2iException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * CLIP's text tokenizer, giving exactly the ids and attention mask of the Hugging Face
 * {@code CLIPTokenizer} (transformers 5, tokenizers-backed) with padding and truncation to 77.
 *
 * <p>Pipeline: the literal text {@code <|endoftext|>} is cut out of the raw prompt first; each
 * remaining part is normalised (NFC, whitespace runs to one space, lower case);
 * {@code <|startoftext|>} is cut out of the normalised text (so any letter case matches it); the
 * rest is split into words by CLIP's pattern and each word is byte-pair encoded over its UTF-8
 * bytes. The asymmetry between the two special tokens is Hugging Face's: it matches the end token
 * before normalisation and the start token after. HTML entities are left as they are, as Hugging
 * Face does (OpenAI's original tokenizer would unescape them). An unpaired surrogate, which
 * Hugging Face rejects as invalid text, is encoded as {@code ?}.
 *
 * <p>Instances are immutable apart from an internal bounded cache and are safe to use from many
 * threads at once.
 */
public final class ClipTokenizer {
    /** Tokens per prompt that CLIP's text encoder takes, start and end tokens included. */
    public static final int CONTEXT_LENGTH = 77;
    /** The start token's text. */
    public static final String START_OF_TEXT = "<|startoftext|>";
    /** The end token's text, also used for padding. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private final BpeVocabulary vocabulary;
    private final BytePairEncoder encoder;
    private final int startId;
    private final int endId;

    private ClipTokenizer(BpeVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.encoder = new BytePairEncoder(vocabulary);
        this.startId = requireSpecial(START_OF_TEXT);
        this.endId = requireSpecial(END_OF_TEXT);
    }

    private int requireSpecial(String token) {
        int id = encoder.idOf(token);
        if (id < 0) {
            throw new T2iException(vocabulary.source() + ": the vocabulary has no " + token
                    + " token; use the vocabulary of a CLIP tokenizer");
        }
        return id;
    }

    /**
     * Loads a Hugging Face CLIP tokenizer folder ({@code vocab.json} and {@code merges.txt}).
     *
     * @throws T2iException if a file is missing or malformed
     */
    public static ClipTokenizer fromHuggingFace(Path folder) {
        return new ClipTokenizer(VocabularyFiles.readHuggingFace(folder));
    }

    /**
     * Loads OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}.
     *
     * @throws T2iException if the file is missing, not gzip or too short
     */
    public static ClipTokenizer fromOpenAiVocab(Path gz) {
        return new ClipTokenizer(VocabularyFiles.readOpenAi(gz));
    }

    /**
     * A tokenizer with CLIP's 512 byte-level tokens and no merges: every word becomes its
     * characters. Built in (no file), for the seeded random text encoder on machines without the
     * real vocabulary; the ids it uses mean the same in CLIP's full vocabulary.
     */
    public static ClipTokenizer byteLevel() {
        return new ClipTokenizer(VocabularyFiles.byteLevelOnly());
    }

    /**
     * Loads whichever layout {@code path} is: a folder (or its {@code vocab.json} or
     * {@code merges.txt}) is read as Hugging Face's, any other file as OpenAI's gzip vocabulary.
     *
     * @throws T2iException if the path does not exist or its files are malformed
     */
    public static ClipTokenizer load(Path path) {
        if (Files.isDirectory(path)) {
            return fromHuggingFace(path);
        }
        Path name = path.getFileName();
        if (name != null && (name.toString().equals(VocabularyFiles.HF_VOCAB)
                || name.toString().equals(VocabularyFiles.HF_MERGES))) {
            return fromHuggingFace(path.toAbsolutePath().getParent());
        }
        if (!Files.exists(path)) {
            throw new T2iException("CLIP tokenizer not found: " + path + "; pass a Hugging Face tokenizer"
                    + " folder (vocab.json, merges.txt) or bpe_simple_vocab_16e6.txt.gz");
        }
        return fromOpenAiVocab(path);
    }

    /**
     * Restores a tokenizer written by {@link #toBytes()}.
     *
     * @throws T2iException if the bytes are damaged or not a tokenizer
     */
    public static ClipTokenizer fromBytes(byte[] bytes) {
        return new ClipTokenizer(TokenizerBytes.read(bytes));
    }

    /** The vocabulary and merges in a compact binary form (about 440 KB for CLIP), for {@link #fromBytes}. */
    public byte[] toBytes() {
        return TokenizerBytes.write(vocabulary, encoder);
    }

    /** Number of tokens in the vocabulary (49,408 for CLIP). */
    public int vocabularySize() {
        return encoder.vocabularySize();
    }

    /** The token string of an id, for example {@code "photo</w>"}. */
    public String token(int id) {
        Objects.checkIndex(id, encoder.vocabularySize());
        return encoder.token(id);
    }

    /**
     * Tokenizes one prompt: start token, at most {@code CONTEXT_LENGTH - 2} text tokens, end token,
     * padding. A longer prompt is cut and reported through {@link Tokenization#truncated()}.
     */
    public Tokenization tokenize(String text) {
        Objects.requireNonNull(text, "text");
        TextIds textIds = new TextIds(CONTEXT_LENGTH - 2);
        int from = 0;
        while (!textIds.full()) {
            int at = text.indexOf(END_OF_TEXT, from);
            String part = at < 0 ? text.substring(from) : text.substring(from, at);
            addNormalizedPart(ClipTextNormalizer.normalize(part), textIds);
            if (at < 0) {
                break;
            }
            textIds.add(endId);
            from = at + END_OF_TEXT.length();
        }
        return assemble(textIds);
    }

    /** Tokenizes several prompts; the same as calling {@link #tokenize(String)} on each. */
    public List<Tokenization> tokenize(List<String> texts) {
        List<Tokenization> result = new ArrayList<>(texts.size());
        for (String text : texts) {
            result.add(tokenize(text));
        }
        return result;
    }

    private void addNormalizedPart(String normalized, TextIds textIds) {
        int from = 0;
        while (!textIds.full()) {
            int at = normalized.indexOf(START_OF_TEXT, from);
            String part = at < 0 ? normalized.substring(from) : normalized.substring(from, at);
            for (String word : ClipPreTokenizer.words(part)) {
                for (int id : encoder.encode(word)) {
                    if (!textIds.add(id)) {
                        return;
                    }
                }
            }
            if (at < 0) {
                return;
            }
            textIds.add(startId);
            from = at + START_OF_TEXT.length();
        }
    }

    private Tokenization assemble(TextIds textIds) {
        long[] ids = new long[CONTEXT_LENGTH];
        long[] mask = new long[CONTEXT_LENGTH];
        List<String> tokens = new ArrayList<>(textIds.size + 2);
        Arrays.fill(ids, endId);
        ids[0] = startId;
        tokens.add(START_OF_TEXT);
        for (int i = 0; i < textIds.size; i++) {
            ids[i + 1] = textIds.ids[i];
            tokens.add(encoder.token(textIds.ids[i]));
        }
        int eosIndex = textIds.size + 1;
        tokens.add(END_OF_TEXT);
        Arrays.fill(mask, 0, eosIndex + 1, 1L);
        return new Tokenization(ids, mask, List.copyOf(tokens), textIds.truncated, eosIndex);
    }

    /** The text token ids of one prompt, up to a limit; notes when more were offered. */
    private static final class TextIds {
        final int[] ids;
        int size;
        boolean truncated;

        TextIds(int capacity) {
            ids = new int[capacity];
        }

        /** Adds an id, or records truncation and returns false when already full. */
        boolean add(int id) {
            if (size == ids.length) {
                truncated = true;
                return false;
            }
            ids[size++] = id;
            return true;
        }

        /** True once an id has been refused; later text cannot fit either. */
        boolean full() {
            return truncated;
        }
    }
}
