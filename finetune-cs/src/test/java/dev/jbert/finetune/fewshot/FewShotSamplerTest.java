package dev.jbert.finetune.fewshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FewShotSamplerTest {

  private static final Path FILE = Path.of("train.csv");

  /** 30 of a, 20 of b, 3 of c, interleaved, each text unique. */
  private static List<Example> data() {
    List<Example> all = new ArrayList<>();
    int line = 2;
    for (int i = 0; i < 30; i++) {
      all.add(Example.labelled("a" + i, "a", FILE, line++));
      if (i < 20) {
        all.add(Example.labelled("b" + i, "b", FILE, line++));
      }
      if (i < 3) {
        all.add(Example.labelled("c" + i, "c", FILE, line++));
      }
    }
    return all;
  }

  @Test
  void drawsKPerLabelOrAllOfARareLabelInFileOrder() {
    List<Example> all = data();
    List<Example> sample = FewShotSampler.sample(all, 5, 7);
    Map<String, Long> counts = sample.stream().collect(Collectors.groupingBy(Example::label, Collectors.counting()));
    assertEquals(Map.of("a", 5L, "b", 5L, "c", 3L), counts);
    for (int i = 1; i < sample.size(); i++) {
      assertTrue(sample.get(i - 1).line() < sample.get(i).line(), "file order");
    }
    assertEquals(sample.size(), sample.stream().distinct().count(), "no example twice");
  }

  @Test
  void theSameSeedGivesTheSameSampleAndAnotherSeedAnother() {
    List<Example> all = data();
    assertEquals(FewShotSampler.sample(all, 5, 7), FewShotSampler.sample(all, 5, 7));
    assertNotEquals(FewShotSampler.sample(all, 5, 7), FewShotSampler.sample(all, 5, 8));
  }

  @Test
  void aLabelsSampleDoesNotDependOnTheOtherLabels() {
    List<Example> all = data();
    List<Example> onlyA = all.stream().filter(e -> e.label().equals("a")).toList();
    List<Example> fromAll = FewShotSampler.sample(all, 4, 3).stream().filter(e -> e.label().equals("a")).toList();
    assertEquals(fromAll, FewShotSampler.sample(onlyA, 4, 3));
  }

  @Test
  void refusesAnUnlabelledRowAndAZeroK() {
    List<Example> all = new ArrayList<>(data());
    all.add(Example.scored("x", 0.5, FILE, 99));
    DataFileException e = assertThrows(DataFileException.class, () -> FewShotSampler.sample(all, 5, 1));
    assertTrue(e.getMessage().contains("99"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> FewShotSampler.sample(data(), 0, 1));
  }
}
