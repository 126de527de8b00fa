package dev.jbert.finetune.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedData;
import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ExampleReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the real shared files and checks them against the counts in their SOURCE.md. */
class SharedDatasetsTest {

  private static final Path DATA = SharedData.dataDir();

  private static Map<String, Long> countByLabel(List<Example> examples) {
    return examples.stream().collect(Collectors.groupingBy(Example::label, Collectors.counting()));
  }

  @Test
  void banking77() {
    DatasetSplits b = Datasets.banking77(DATA);
    assertEquals(10_003, b.train().size());
    assertEquals(3_080, b.test().size());
    assertTrue(b.validation().isEmpty());
    assertEquals(77, countByLabel(b.train()).size());
    Map<String, Long> test = countByLabel(b.test());
    assertEquals(77, test.size());
    assertTrue(test.values().stream().allMatch(n -> n == 40), "test has 40 examples per label");
    long smallest = countByLabel(b.train()).values().stream().mapToLong(Long::longValue).min().orElseThrow();
    long largest = countByLabel(b.train()).values().stream().mapToLong(Long::longValue).max().orElseThrow();
    assertEquals(35, smallest);
    assertEquals(187, largest);

    // Record 1,291 spans lines 1292-1296 ("\nI can't seem to be able to use my card\n\n\n").
    Example first = b.train().get(0);
    assertEquals(2, first.line());
    assertEquals("I am still waiting on my card?", first.text());
    Example multiLine = b.train().stream().filter(e -> e.line() == 1292).findFirst().orElseThrow();
    assertEquals("I can't seem to be able to use my card", multiLine.text());
    assertEquals("card_not_working", multiLine.label());
    Example next = b.train().get(b.train().indexOf(multiLine) + 1);
    assertEquals(1297, next.line());
    assertEquals("Why is my physical card not working?", next.text());
  }

  @Test
  void clinc150WithAndWithoutOutOfScope() {
    DatasetSplits all = Datasets.clinc150(DATA, true);
    assertEquals(15_000 + 100, all.train().size());
    assertEquals(3_000 + 100, all.validation().size());
    assertEquals(4_500 + 1_000, all.test().size());
    Map<String, Long> train = countByLabel(all.train());
    assertEquals(151, train.size());
    assertEquals(100L, train.get(Clinc150.OUT_OF_SCOPE));
    assertEquals(1_000L, countByLabel(all.test()).get(Clinc150.OUT_OF_SCOPE));
    assertTrue(countByLabel(all.test()).entrySet().stream()
        .allMatch(e -> e.getKey().equals(Clinc150.OUT_OF_SCOPE) || e.getValue() == 30), "30 test examples per intent");

    DatasetSplits inScope = Datasets.clinc150(DATA, false);
    assertEquals(15_000, inScope.train().size());
    assertEquals(3_000, inScope.validation().size());
    assertEquals(4_500, inScope.test().size());
    assertEquals(150, countByLabel(inScope.train()).size());

    // oos_val comes first in the file; its first pair's "[" is on line 3.
    Example firstOos = all.validation().get(3_000);
    assertEquals("set a warning for when my bank account starts running low", firstOos.text());
    assertEquals(3, firstOos.line());
  }

  @Test
  void bitextPairsAreSplitByMessageAndDeterministic() {
    PairSampling sampling = new PairSampling(1, 0.5, 7);
    DatasetSplits pairs = Datasets.bitextPairs(DATA, sampling);
    int total = pairs.train().size() + pairs.validation().size() + pairs.test().size();
    assertEquals(2 * 4_514, total, "one positive and one negative per row");
    Set<String> trainMessages = pairs.train().stream().map(Example::text).collect(Collectors.toSet());
    assertTrue(pairs.test().stream().noneMatch(e -> trainMessages.contains(e.text())), "no message in both train and test");
    assertTrue(pairs.validation().stream().noneMatch(e -> trainMessages.contains(e.text())));
    double testShare = pairs.test().size() / (double) total;
    assertTrue(testShare > 0.07 && testShare < 0.13, "about 10% test, got " + testShare);

    for (List<Example> split : List.of(pairs.train(), pairs.validation(), pairs.test())) {
      assertEquals(split.size() / 2, split.stream().filter(e -> e.label().equals(PairSampling.APPROPRIATE)).count());
      Set<String> splitReplies = new HashSet<>();
      split.stream().filter(e -> e.label().equals(PairSampling.APPROPRIATE)).forEach(e -> splitReplies.add(e.pair()));
      assertTrue(split.stream().allMatch(e -> splitReplies.contains(e.pair())), "negatives come from the same split");
      for (int i = 0; i < split.size(); i += 2) {
        assertEquals(split.get(i).text(), split.get(i + 1).text());
        assertNotEquals(split.get(i).pair(), split.get(i + 1).pair());
      }
    }
    assertEquals(pairs, Datasets.bitextPairs(DATA, sampling), "same seed, same pairs");
    assertNotEquals(pairs.train(), Datasets.bitextPairs(DATA, new PairSampling(1, 0.5, 8)).train(), "another seed draws other negatives");
  }

  @Test
  void bitextNegativesHaveAnotherIntentAndHardOnesTheSameCategory() {
    // Map every response back to its row's intent and category.
    List<Example> rows = ExampleReader.read(DATA.resolve("bitext_customer_support").resolve(BitextPairs.FILE),
        dev.jbert.finetune.data.ReadOptions.defaults().withTextColumn("response").withLabelColumn("intent"));
    Map<String, String> intentOfResponse = rows.stream().collect(Collectors.toMap(Example::text, Example::label, (a, b) -> a));
    List<Example> categoryRows = ExampleReader.read(DATA.resolve("bitext_customer_support").resolve(BitextPairs.FILE),
        dev.jbert.finetune.data.ReadOptions.defaults().withTextColumn("intent").withLabelColumn("category"));
    Map<String, String> categoryOfIntent = categoryRows.stream().collect(Collectors.toMap(Example::text, Example::label, (a, b) -> a));

    DatasetSplits allHard = Datasets.bitextPairs(DATA, new PairSampling(3, 1.0, 1));
    int hardInOtherCategory = 0;
    for (int i = 0; i < allHard.train().size(); i += 4) {
      String intent = intentOfResponse.get(allHard.train().get(i).pair());
      for (int j = 1; j <= 3; j++) {
        Example negative = allHard.train().get(i + j);
        assertEquals(PairSampling.INAPPROPRIATE, negative.label());
        String negativeIntent = intentOfResponse.get(negative.pair());
        assertNotEquals(intent, negativeIntent);
        if (!categoryOfIntent.get(intent).equals(categoryOfIntent.get(negativeIntent))) {
          hardInOtherCategory++;
        }
      }
    }
    // Only NEWSLETTER and CANCELLATION_FEE have a single intent: their negatives fall back to easy ones.
    long singleIntentPositives = allHard.train().stream().filter(e -> e.label().equals(PairSampling.APPROPRIATE))
        .map(e -> categoryOfIntent.get(intentOfResponse.get(e.pair())))
        .filter(c -> c.equals("NEWSLETTER") || c.equals("CANCELLATION_FEE")).count();
    assertEquals(3 * singleIntentPositives, hardInOtherCategory);
  }

  @Test
  void crosswozDomainsWithContext() {
    DatasetSplits d = Datasets.crosswozDomains(DATA);
    // val.jsonl has 4,229 user turns, 16 of them without any dialogue act.
    assertEquals(4_229 - 16, d.train().size() + d.validation().size());
    assertTrue(d.validation().size() > 250 && d.validation().size() < 600, "about 10% by dialogue: " + d.validation().size());
    assertTrue(d.test().size() > 4_200 && d.test().size() <= 4_238);
    Set<Long> trainDialogues = d.train().stream().map(Example::line).collect(Collectors.toSet());
    assertTrue(d.validation().stream().noneMatch(e -> trainDialogues.contains(e.line())), "split by dialogue");
    assertEquals(Set.of("景点", "餐馆", "酒店", "地铁", "出租", CrossWoz.GENERAL_DOMAIN), countByLabel(d.train()).keySet());

    // First dialogue of val.jsonl (11290): the opening user turn has no context, the second has two turns.
    List<Example> first = d.train().stream().filter(e -> e.line() == 1).toList();
    List<Example> dialogue = first.isEmpty() ? d.validation().stream().filter(e -> e.line() == 1).toList() : first;
    assertEquals("你好，我想找家人均消费在100-150元的餐馆吃驴杂汤这道菜，请给我推荐一家餐馆用餐吧。", dialogue.get(0).text());
    assertEquals("餐馆", dialogue.get(0).label());
    assertEquals(List.of(), dialogue.get(0).context());
    assertEquals("这家餐馆的周边有哪些景点啊？", dialogue.get(1).text());
    assertEquals(2, dialogue.get(1).context().size());
    assertEquals(dialogue.get(0).text(), dialogue.get(1).context().get(0));
    assertNull(dialogue.get(1).pair());
  }

  @Test
  void crosswozReplyPairs() {
    PairSampling sampling = PairSampling.balanced(3);
    DatasetSplits pairs = Datasets.crosswozReplyPairs(DATA, sampling);
    for (List<Example> split : List.of(pairs.train(), pairs.validation(), pairs.test())) {
      for (int i = 0; i < split.size(); i += 2) {
        Example positive = split.get(i);
        Example negative = split.get(i + 1);
        assertEquals(PairSampling.APPROPRIATE, positive.label());
        assertEquals(PairSampling.INAPPROPRIATE, negative.label());
        assertEquals(positive.text(), negative.text());
        assertEquals(positive.context(), negative.context());
        assertNotEquals(positive.pair(), negative.pair());
      }
    }
    assertTrue(pairs.test().size() / 2 > 4_000, "about one positive per user turn");
    assertEquals(pairs, Datasets.crosswozReplyPairs(DATA, sampling));
  }

  @Test
  void asapRatingRegression() {
    DatasetSplits a = Datasets.asapRating(DATA);
    assertEquals(100, a.train().size());
    assertEquals(100, a.validation().size());
    assertEquals(100, a.test().size());
    Map<Double, Long> stars = a.train().stream().collect(Collectors.groupingBy(Example::score, Collectors.counting()));
    assertEquals(Map.of(1.0, 9L, 2.0, 4L, 3.0, 14L, 4.0, 32L, 5.0, 41L), stars);
    assertTrue(a.train().get(0).text().startsWith("状元楼饭店"), "BOM does not hide the first column");
  }

  @Test
  void preparedJsonLinesReadBack(@TempDir Path dir) throws IOException {
    DatasetSplits d = Datasets.crosswozDomains(DATA);
    Map<String, Path> files = d.writeJsonl(dir);
    assertEquals(Set.of("train", "validation", "test"), files.keySet());
    List<Example> back = ExampleReader.read(files.get("train"), d.readOptions());
    assertEquals(d.train().size(), back.size());
    Function<Example, List<Object>> content = e -> List.of(e.text(), e.context(), e.label());
    assertEquals(d.train().stream().map(content).toList(), back.stream().map(content).toList());
  }

  @Test
  void loadByName() {
    assertEquals(Datasets.NAMES.size(), Set.copyOf(Datasets.NAMES).size());
    assertEquals("asap-rating", Datasets.load("asap-rating", DATA, 0).name());
    assertEquals("clinc150-inscope", Datasets.load("clinc150-inscope", DATA, 0).name());
  }
}
