package dev.t2i.tokenizer;

import java.util.List;

/**
 * One prompt as CLIP's text encoder takes it. The arrays are fresh for every call and belong to
 * the caller; as with any record holding arrays, {@code equals} compares them by identity.
 *
 * @param ids           token ids, always {@link ClipTokenizer#CONTEXT_LENGTH} long: start token,
 *                      text tokens, end token, then padding with the end token's id
 * @param attentionMask 1 for the start token, text tokens and end token; 0 for padding
 * @param tokens        the token strings of the unpadded positions, for example
 *                      {@code [<|startoftext|>, a</w>, photo</w>, <|endoftext|>]}
 * @param truncated     true if the prompt had more tokens than fit and the rest were dropped
 * @param eosIndex      position of the end token (the one CLIP pools), {@code tokens.size() - 1}
 */
public record Tokenization(long[] ids, long[] attentionMask, List<String> tokens, boolean truncated, int eosIndex) {
}
