package dev.jbert.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.TinyTraining;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tiny fine-tuned models for the tests (two training steps each on the 99-token random BERT, {@link
 * TinyTraining}), trained once per test JVM: an intent classifier (card, refund), a reply matcher
 * (pairs), an intent classifier trained with earlier turns (context), a regressor, and a copy of the
 * intent classifier with a saved hand-off (threshold 0.99, label 转人工).
 */
final class TinyModels {

  private static final Path SOURCE = Path.of("train.jsonl");
  private static final Map<String, Path> TRAINED = new HashMap<>();

  static final String[][] INTENTS = {{"where is my card", "card"}, {"refund my order please", "refund"},
      {"card not arrived", "card"}, {"i want my money back", "refund"}};

  private TinyModels() {}

  static synchronized Path intent() {
    return trained("intent");
  }

  static synchronized Path pair() {
    return trained("pair");
  }

  static synchronized Path context() {
    return trained("context");
  }

  static synchronized Path regression() {
    return trained("regression");
  }

  static synchronized Path intentWithHandOff() {
    Path dir = TRAINED.get("intent-handoff");
    if (dir == null) {
      dir = TinyTraining.copy(intent(), "intent-handoff");
      try {
        ObjectNode config = (ObjectNode) Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        ((ObjectNode) config.get("jbert")).put("handoff_threshold", 0.99).put("handoff_label", "转人工");
        Json.writePretty(dir.resolve("config.json"), config);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      TRAINED.put("intent-handoff", dir);
    }
    return dir;
  }

  private static Path trained(String kind) {
    Path dir = TRAINED.get(kind);
    if (dir != null) {
      return dir;
    }
    List<Example> data = new ArrayList<>();
    Task task = Task.INTENT;
    Path base = SharedModels.tinyBert();
    for (int i = 0; i < INTENTS.length; i++) {
      String text = INTENTS[i][0];
      String label = INTENTS[i][1];
      switch (kind) {
        case "intent" -> data.add(Example.labelled(text, label, SOURCE, i + 1));
        case "pair" -> data.add(new Example(text, "it ships tomorrow", List.of(), i % 2 == 0 ? "yes" : "no", null,
            SOURCE, i + 1));
        case "context" -> data.add(new Example(text, null, List.of("hello", "how can i help"), label, null, SOURCE,
            i + 1));
        case "regression" -> data.add(Example.scored(text, i / 3.0, SOURCE, i + 1));
        default -> throw new IllegalArgumentException(kind);
      }
    }
    if (kind.equals("pair")) {
      task = Task.PAIR;
    } else if (kind.equals("regression")) {
      task = Task.REGRESSION;
      base = SharedModels.tinyBertRegression();
    }
    dir = TinyTraining.train(kind, base, task, data);
    TRAINED.put(kind, dir);
    return dir;
  }
}
