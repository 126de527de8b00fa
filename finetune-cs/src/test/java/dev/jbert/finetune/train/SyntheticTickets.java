package dev.jbert.finetune.train;

import dev.jbert.finetune.data.Example;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Support tickets made of words of tiny-random-bert's 99-token vocabulary: each intent has its own
 * keywords, mixed with shared filler words, so that a model can learn the intents in seconds while
 * chance stays at 1/4.
 */
public final class SyntheticTickets {

  static final Map<String, List<String>> KEYWORDS = Map.of(
      "card", List.of("card", "lost", "stolen", "declined", "atm", "cash"),
      "delivery", List.of("package", "delivery", "arrived", "late", "order", "item"),
      "refund", List.of("refund", "return", "money", "charge", "twice", "fee"),
      "account", List.of("account", "password", "reset", "login", "app", "address"));

  public static final List<String> INTENTS = List.of("account", "card", "delivery", "refund");

  private static final List<String> FILLER = List.of("i", "my", "me", "the", "a", "is", "was", "it", "not", "please",
      "help", "where", "when", "how", "what", "why", "still", "yet", "week", "day", "to", "for", "of", "in", "on",
      "with", "have", "can", "do", "you", "your");

  private SyntheticTickets() {}

  /** A message about {@code intent}: one or two of its keywords and one or two filler words. */
  static String message(String intent, Random random) {
    List<String> words = new ArrayList<>();
    List<String> keys = KEYWORDS.get(intent);
    int keyCount = 1 + random.nextInt(2);
    for (int i = 0; i < keyCount; i++) {
      words.add(keys.get(random.nextInt(keys.size())));
    }
    int fill = 1 + random.nextInt(2);
    for (int i = 0; i < fill; i++) {
      words.add(FILLER.get(random.nextInt(FILLER.size())));
    }
    Collections.shuffle(words, random);
    return String.join(" ", words);
  }

  /** {@code perIntent} labelled messages of every intent, interleaved, as if read from {@code source}. */
  public static List<Example> intents(int perIntent, long seed, Path source) {
    Random random = new Random(seed);
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < perIntent; i++) {
      for (String intent : INTENTS) {
        out.add(Example.labelled(message(intent, random), intent, source, out.size() + 2L));
      }
    }
    return out;
  }

  /** The same messages as a CSV file with columns {@code text,label}. */
  static Path writeCsv(Path file, List<Example> examples) throws IOException {
    StringBuilder csv = new StringBuilder("text,label\n");
    for (Example e : examples) {
      csv.append(e.text()).append(',').append(e.label()).append('\n');
    }
    Files.writeString(file, csv.toString(), StandardCharsets.UTF_8);
    return file;
  }
}
