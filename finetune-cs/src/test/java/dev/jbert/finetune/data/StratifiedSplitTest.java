package dev.jbert.finetune.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedData;
import dev.jbert.finetune.datasets.Datasets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

  private static Map<String, Long> counts(List<Example> examples) {
    return examples.stream().collect(Collectors.groupingBy(Example::label, Collectors.counting()));
  }

  @Test
  void everyClassKeepsItsShareOnBanking77() {
    List<Example> train = Datasets.banking77(SharedData.dataDir()).train();
    StratifiedSplit.Parts parts = StratifiedSplit.split(train, 0.1, 42);
    assertEquals(train.size(), parts.train().size() + parts.validation().size());
    Map<String, Long> all = counts(train);
    Map<String, Long> held = counts(parts.validation());
    for (Map.Entry<String, Long> e : all.entrySet()) {
      double expected = 0.1 * e.getValue();
      long got = held.getOrDefault(e.getKey(), 0L);
      assertTrue(Math.abs(got - expected) <= 1, e.getKey() + ": held " + got + ", expected about " + expected);
    }
    Set<Example> union = new HashSet<>(parts.train());
    union.addAll(parts.validation());
    assertEquals(new HashSet<>(train), union, "every example lands in exactly one part");
  }

  @Test
  void sameSeedSameSplitOtherSeedOtherSplit() {
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      examples.add(Example.labelled("t" + i, "c" + (i % 7), Path.of("f.csv"), i + 2L));
    }
    StratifiedSplit.Parts a = StratifiedSplit.split(examples, 0.2, 1);
    assertEquals(a, StratifiedSplit.split(examples, 0.2, 1));
    assertNotEquals(a.validation(), StratifiedSplit.split(examples, 0.2, 2).validation());
    // File order is kept inside each part.
    List<Long> lines = a.validation().stream().map(Example::line).toList();
    assertEquals(lines.stream().sorted().toList(), lines);
  }

  @Test
  void regressionIsStratifiedByScoreBins() {
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      examples.add(Example.scored("t" + i, i < 100 ? 1.0 : 5.0, Path.of("f.csv"), i + 2L));
    }
    StratifiedSplit.Parts parts = StratifiedSplit.split(examples, 0.1, 3);
    assertEquals(20, parts.validation().size());
    assertEquals(10, parts.validation().stream().filter(e -> e.score() == 1.0).count(), "low and high scores held out alike");
  }
}
