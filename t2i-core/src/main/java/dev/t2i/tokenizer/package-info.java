/**
 * CLIP's text tokenizer in pure Java: byte-level BPE over OpenAI's CLIP vocabulary, giving the
 * same ids and attention masks as the Hugging Face {@code CLIPTokenizer}. Start with
 * {@link dev.t2i.tokenizer.ClipTokenizer}.
 */
package dev.t2i.tokenizer;
