package dev.jbert.tokenizer;

/**
 * An immutable open-addressing hash table from token strings to ids that is queried with a range
 * of a {@code char[]}, so the WordPiece loop never builds a {@code String} to look a piece up.
 *
 * <p>Keys are hashed with {@link String#hashCode()}'s polynomial, which lets callers compute the
 * hashes of all prefixes of a word in one pass ({@link #extendHash}) and then probe each candidate
 * length in O(1) before the final character comparison.
 */
final class TokenIndex {

  private static final int MISSING = -1;

  private final char[] pool;
  private final int[] keyStart;
  private final int[] keyLength;
  private final int[] keyHash;
  private final int[] ids;
  /** Entry index + 1 per slot; 0 marks an empty slot. */
  private final int[] slots;
  private final int shift;
  private final int maxKeyLength;

  /**
   * @param keys distinct token strings
   * @param keyIds the id of each key
   */
  TokenIndex(String[] keys, int[] keyIds) {
    int n = keys.length;
    int totalChars = 0;
    int longest = 0;
    for (String key : keys) {
      totalChars += key.length();
      longest = Math.max(longest, key.length());
    }
    int bits = 32 - Integer.numberOfLeadingZeros(Math.max(4, n * 2 - 1)); // load factor <= 0.5
    this.pool = new char[totalChars];
    this.keyStart = new int[n];
    this.keyLength = new int[n];
    this.keyHash = new int[n];
    this.ids = keyIds.clone();
    this.slots = new int[1 << bits];
    this.shift = 32 - bits;
    this.maxKeyLength = longest;
    int offset = 0;
    for (int e = 0; e < n; e++) {
      String key = keys[e];
      key.getChars(0, key.length(), pool, offset);
      keyStart[e] = offset;
      keyLength[e] = key.length();
      keyHash[e] = key.hashCode();
      offset += key.length();
      int slot = slotOf(keyHash[e]);
      while (slots[slot] != 0) {
        slot = (slot + 1) & (slots.length - 1);
      }
      slots[slot] = e + 1;
    }
  }

  /** The length of the longest key, in chars: no match can be longer. */
  int maxKeyLength() {
    return maxKeyLength;
  }

  /** The hash of {@code chars[from, to)}, equal to {@code new String(chars, from, to - from).hashCode()}. */
  static int hash(char[] chars, int from, int to) {
    int h = 0;
    for (int i = from; i < to; i++) {
      h = 31 * h + chars[i];
    }
    return h;
  }

  /** The hash of a sequence one character longer than the one that hashes to {@code hash}. */
  static int extendHash(int hash, char next) {
    return 31 * hash + next;
  }

  /** The id of the key equal to {@code chars[from, to)} whose hash is {@code hash}, or -1. */
  int find(char[] chars, int from, int to, int hash) {
    int length = to - from;
    int slot = slotOf(hash);
    int entry;
    while ((entry = slots[slot]) != 0) {
      int e = entry - 1;
      if (keyHash[e] == hash && keyLength[e] == length && sameChars(e, chars, from, length)) {
        return ids[e];
      }
      slot = (slot + 1) & (slots.length - 1);
    }
    return MISSING;
  }

  /** The id of {@code key}, or -1. */
  int find(String key) {
    char[] chars = key.toCharArray();
    return find(chars, 0, chars.length, key.hashCode());
  }

  private boolean sameChars(int entry, char[] chars, int from, int length) {
    int start = keyStart[entry];
    for (int i = 0; i < length; i++) {
      if (pool[start + i] != chars[from + i]) {
        return false;
      }
    }
    return true;
  }

  private int slotOf(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }
}
