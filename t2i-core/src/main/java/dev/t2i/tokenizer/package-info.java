/**
 * CLIP's text tokenizer in pure Java: byte-level BPE over OpenAI's CLIP vocabulary, giving the
 * same ids and attention masks as the Hugging Face {@code CLIPTokenizer}. Start with
 * {@link dev.t2i.tokenizer.ClipTokenizer}; {@link dev.t2i.tokenizer.VocabularyFiles} reads the
 * published vocabularies and {@link dev.t2i.tokenizer.TokenizerBytes} stores one inside a model
 * file. It is written out in Java, down to the Unicode tables of the Rust library, so that a prompt
 * gives the same tokens as in Python without a native tokenizer.
 *
 * <p>Uses: dev.t2i and Jackson (to read {@code vocab.json}); no ND4J and nothing above the
 * formats layer.
 */
package dev.t2i.tokenizer;
