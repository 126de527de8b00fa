package dev.jbert.tokenizer;

import java.util.Map;

/**
 * Every token the tokenizer can produce, WordPiece vocabulary and added tokens together: id to
 * string, string to id, and which ids are special.
 */
final class Vocabulary {

  private final String[] tokensById;
  private final boolean[] special;
  private final TokenIndex index;

  /**
   * @param tokenIds every token with its id (ids unique, checked by the loader)
   * @param specialIds ids of special tokens
   */
  Vocabulary(Map<String, Integer> tokenIds, int[] specialIds) {
    int maxId = tokenIds.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
    tokensById = new String[maxId + 1];
    String[] keys = new String[tokenIds.size()];
    int[] ids = new int[tokenIds.size()];
    int e = 0;
    for (Map.Entry<String, Integer> entry : tokenIds.entrySet()) {
      keys[e] = entry.getKey();
      ids[e] = entry.getValue();
      tokensById[ids[e]] = keys[e];
      e++;
    }
    index = new TokenIndex(keys, ids);
    special = new boolean[tokensById.length];
    for (int id : specialIds) {
      special[id] = true;
    }
  }

  /** One more than the largest id. */
  int size() {
    return tokensById.length;
  }

  /** The token string of {@code id}, or null if no token has that id. */
  String token(int id) {
    return id >= 0 && id < tokensById.length ? tokensById[id] : null;
  }

  /** The id of {@code token}, or -1. */
  int id(String token) {
    return index.find(token);
  }

  boolean isSpecial(int id) {
    return id >= 0 && id < special.length && special[id];
  }

  /** The token strings of {@code ids}; an id without a token is an error naming its position. */
  String[] tokens(int[] ids) {
    String[] out = new String[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = token(ids[i]);
      if (out[i] == null) {
        throw new IllegalArgumentException("id " + ids[i] + " at position " + i + " is not in the vocabulary (0.." + (size() - 1) + ")");
      }
    }
    return out;
  }
}
