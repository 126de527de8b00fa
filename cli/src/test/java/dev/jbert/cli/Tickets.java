package dev.jbert.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * CSV files of support tickets made of tiny-random-bert's vocabulary: each of 4 intents has its own
 * keywords among shared filler words, so the tiny model learns them in seconds (chance is 25%).
 */
final class Tickets {

  static final List<String> INTENTS = List.of("account", "card", "delivery", "refund");
  private static final List<List<String>> KEYWORDS = List.of(
      List.of("account", "password", "reset", "login", "app", "address"),
      List.of("card", "lost", "stolen", "declined", "atm", "cash"),
      List.of("package", "delivery", "arrived", "late", "order", "item"),
      List.of("refund", "return", "money", "charge", "twice", "fee"));
  private static final List<String> FILLER = List.of("i", "my", "me", "the", "a", "is", "was", "it", "not", "please",
      "help", "where", "when", "how", "what", "why", "still", "yet", "week", "day", "to", "for", "with", "have", "can");

  private Tickets() {}

  /** {@code text,label} rows, {@code perIntent} of each intent, interleaved. */
  static Path csv(Path file, int perIntent, long seed) throws IOException {
    Random random = new Random(seed);
    StringBuilder csv = new StringBuilder("text,label\n");
    for (int i = 0; i < perIntent; i++) {
      for (int k = 0; k < INTENTS.size(); k++) {
        csv.append(message(k, random)).append(',').append(INTENTS.get(k)).append('\n');
      }
    }
    Files.writeString(file, csv.toString(), StandardCharsets.UTF_8);
    return file;
  }

  private static String message(int intent, Random random) {
    List<String> words = new ArrayList<>();
    for (int i = 1 + random.nextInt(2); i > 0; i--) {
      words.add(KEYWORDS.get(intent).get(random.nextInt(6)));
    }
    for (int i = 1 + random.nextInt(2); i > 0; i--) {
      words.add(FILLER.get(random.nextInt(FILLER.size())));
    }
    Collections.shuffle(words, random);
    return String.join(" ", words);
  }
}
