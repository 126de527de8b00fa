package dev.jbert.finetune.datasets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Assigns an item to a split by the SHA-1 of its key (the message text, or a dialogue id): the first
 * 8 hex digits of the digest, as a number, modulo 10 give a bucket 0–9. Equal keys always land in the
 * same split, so duplicate messages never straddle train and test, and no seed is needed.
 */
final class HashSplit {

  private HashSplit() {}

  /** Bucket 0–9 of {@code key}. */
  static int bucket(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(key.getBytes(StandardCharsets.UTF_8));
      String hex = HexFormat.of().formatHex(digest, 0, 4);
      return (int) (Long.parseLong(hex, 16) % 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-1", e);
    }
  }
}
