package dev.jbert.spark;

import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.TinyTraining;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ExampleReader;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.model.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tiny fine-tuned models (2 training steps on tiny-random-bert, {@link TinyTraining}), made once per
 * test JVM.
 */
final class TestModels {

  private static final Path SOURCE = Path.of("train.jsonl");
  private static final String[][] DATA = {{"where is my card", "card"}, {"refund my order please", "refund"},
      {"card not arrived", "card"}, {"i want my money back", "refund"}, {"hello there", "greeting"}, {"hi, good morning", "greeting"}};

  private static Path intent;
  private static Path pair;
  private static Path context;

  private TestModels() {}

  /** A 3-intent model of single messages. */
  static synchronized Path intent() {
    if (intent == null) {
      List<Example> data = new ArrayList<>();
      for (int i = 0; i < DATA.length; i++) {
        data.add(Example.labelled(DATA[i][0], DATA[i][1], SOURCE, i + 1));
      }
      intent = train("intent", Task.INTENT, data);
    }
    return intent;
  }

  /** A (message, reply) model with labels yes / no. */
  static synchronized Path pair() {
    if (pair == null) {
      List<Example> data = new ArrayList<>();
      for (int i = 0; i < DATA.length; i++) {
        data.add(new Example(DATA[i][0], i % 2 == 0 ? "it ships tomorrow" : "here is your refund", List.of(),
            i % 2 == 0 ? "yes" : "no", null, SOURCE, i + 1));
      }
      pair = train("pair", Task.PAIR, data);
    }
    return pair;
  }

  /** An intent model trained with earlier turns (a context segment). */
  static synchronized Path context() {
    if (context == null) {
      List<Example> data = new ArrayList<>();
      for (int i = 0; i < DATA.length; i++) {
        data.add(new Example(DATA[i][0], null, List.of("hello", "how can i help"), DATA[i][1], null, SOURCE, i + 1));
      }
      context = train("context", Task.INTENT, data);
    }
    return context;
  }

  /** A fresh copy of the intent model in a new folder (for tests that count loads of one folder). */
  static Path intentCopy(String name) {
    return TinyTraining.copy(intent(), name);
  }

  /** The first {@code n} messages of the Banking77 test split. */
  static List<String> banking77Texts(int n) {
    Path file = SharedModels.shared("data/banking77/test.csv");
    List<Example> all = ExampleReader.read(file, ReadOptions.defaults().withLabelColumn("category"));
    return all.stream().limit(n).map(Example::text).toList();
  }

  private static Path train(String name, Task task, List<Example> data) {
    return TinyTraining.train(name, SharedModels.tinyBert(), task, data);
  }
}
