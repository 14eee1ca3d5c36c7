package dev.t2i.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.t2i.T2iException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads CLIP vocabularies in the two layouts they are published in. */
final class VocabularyFiles {
    static final String HF_VOCAB = "vocab.json";
    static final String HF_MERGES = "merges.txt";

    /**
     * How many merges of OpenAI's file CLIP uses, written as OpenAI's simple_tokenizer.py writes
     * it. With 512 byte symbols and 2 special tokens it gives CLIP's 49,408-token vocabulary.
     */
    static final int OPENAI_MERGE_COUNT = 49152 - 256 - 2;

    private static final String START_OF_TEXT = "<|startoftext|>";
    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private VocabularyFiles() {
    }

    /** Reads {@code vocab.json} and {@code merges.txt} of a Hugging Face CLIP tokenizer folder. */
    static BpeVocabulary readHuggingFace(Path folder) {
        Path vocabFile = folder.resolve(HF_VOCAB);
        Path mergesFile = folder.resolve(HF_MERGES);
        for (Path file : List.of(vocabFile, mergesFile)) {
            if (!Files.isRegularFile(file)) {
                throw new T2iException("CLIP tokenizer file not found: " + file
                        + "; point to a Hugging Face CLIP tokenizer folder holding vocab.json and merges.txt");
            }
        }
        return new BpeVocabulary(readVocabJson(vocabFile), readMergesTxt(mergesFile), folder.toString());
    }

    private static List<String> readVocabJson(Path file) {
        String[] byId = new String[1024];
        int size = 0;
        try (JsonParser parser = JSON.getFactory().createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw malformedVocab(file, "it is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String token = parser.currentName();
                if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw malformedVocab(file, "the id of '" + token + "' is not an integer");
                }
                int id = parser.getIntValue();
                if (id < 0 || id > 10_000_000) {
                    throw malformedVocab(file, "the id of '" + token + "' is out of range");
                }
                if (id >= byId.length) {
                    byId = Arrays.copyOf(byId, Math.max(id + 1, byId.length * 2));
                }
                if (byId[id] != null) {
                    throw malformedVocab(file, "id " + id + " is given to both '" + byId[id] + "' and '"
                            + token + "'");
                }
                byId[id] = token;
                size = Math.max(size, id + 1);
            }
        } catch (IOException e) {
            throw malformedVocab(file, "it is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        // Gaps are left as nulls; BytePairEncoder rejects them with the file named.
        return Arrays.asList(Arrays.copyOf(byId, size));
    }

    private static T2iException malformedVocab(Path file, String problem) {
        return new T2iException("malformed CLIP vocabulary " + file + ": " + problem
                + "; use the vocab.json of a Hugging Face CLIP tokenizer");
    }

    private static List<BpeVocabulary.Merge> readMergesTxt(Path file) {
        List<BpeVocabulary.Merge> merges = new ArrayList<>(OPENAI_MERGE_COUNT);
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.startsWith("#version") || line.isEmpty()) {
                    continue;
                }
                merges.add(parseMerge(line, file, lineNumber));
            }
        } catch (IOException e) {
            throw new T2iException("cannot read CLIP merges " + file + ": " + e.getMessage()
                    + "; check the file is readable UTF-8 text", e);
        }
        return merges;
    }

    private static BpeVocabulary.Merge parseMerge(String line, Path file, int lineNumber) {
        int space = line.indexOf(' ');
        if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
            throw new T2iException("malformed CLIP merges " + file + " line " + lineNumber
                    + ": expected two tokens separated by one space; use the merges.txt of a CLIP tokenizer");
        }
        return new BpeVocabulary.Merge(line.substring(0, space), line.substring(space + 1));
    }

    /**
     * Reads OpenAI's {@code bpe_simple_vocab_16e6.txt.gz} and builds the vocabulary the way
     * OpenAI's {@code simple_tokenizer.py} does: the 256 byte symbols in table order, the same with
     * {@code </w>}, one token per merge (its two parts joined), then the start and end tokens.
     */
    static BpeVocabulary readOpenAi(Path gz) {
        if (!Files.isRegularFile(gz)) {
            throw new T2iException("CLIP vocabulary not found: " + gz
                    + "; download bpe_simple_vocab_16e6.txt.gz from the OpenAI CLIP repository or point to it");
        }
        List<BpeVocabulary.Merge> merges = new ArrayList<>(OPENAI_MERGE_COUNT);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(gz)), StandardCharsets.UTF_8))) {
            // The first line is a header, not a merge.
            in.readLine();
            int lineNumber = 1;
            while (merges.size() < OPENAI_MERGE_COUNT) {
                String line = in.readLine();
                lineNumber++;
                if (line == null) {
                    throw new T2iException("CLIP vocabulary " + gz + " ends after " + merges.size() + " merges, "
                            + OPENAI_MERGE_COUNT + " needed; download bpe_simple_vocab_16e6.txt.gz again");
                }
                merges.add(parseMerge(line, gz, lineNumber));
            }
        } catch (IOException e) {
            throw new T2iException("cannot read CLIP vocabulary " + gz + ": " + e.getMessage()
                    + "; it should be the gzip file bpe_simple_vocab_16e6.txt.gz from the OpenAI CLIP repository", e);
        }
        return openAiLayout(merges, gz.toString());
    }

    /**
     * The vocabulary without merges: the 512 byte-level tokens (ids as in CLIP's vocabulary) and
     * the two special tokens. Needs no file, so a seeded random text encoder works offline.
     */
    static BpeVocabulary byteLevelOnly() {
        return openAiLayout(List.of(), "built-in byte-level vocabulary");
    }

    private static BpeVocabulary openAiLayout(List<BpeVocabulary.Merge> merges, String source) {
        List<String> tokens = new ArrayList<>(512 + merges.size() + 2);
        for (int i = 0; i < 256; i++) {
            tokens.add(String.valueOf(ByteLevelAlphabet.charOf(ByteLevelAlphabet.byteInTableOrder(i))));
        }
        for (int i = 0; i < 256; i++) {
            tokens.add(tokens.get(i) + BytePairEncoder.END_OF_WORD);
        }
        for (BpeVocabulary.Merge merge : merges) {
            tokens.add(merge.left() + merge.right());
        }
        tokens.add(START_OF_TEXT);
        tokens.add(END_OF_TEXT);
        return new BpeVocabulary(tokens, merges, source);
    }
}
