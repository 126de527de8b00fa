package dev.jbert.finetune.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Segment layout and truncation of {@link TextEncoder}, on tiny-random-bert's vocabulary. */
class TextEncoderTest {

  private static final Path SOURCE = Path.of("tickets.jsonl");
  private static BertTokenizer tokenizer;

  @BeforeAll
  static void load() throws Exception {
    tokenizer = BertTokenizer.fromPretrained(SharedModels.tinyBert());
  }

  /** Ids of space-separated vocabulary tokens, looked up one by one. */
  private static int[] ids(String tokens) {
    return Arrays.stream(tokens.split(" ")).mapToInt(t -> tokenizer.tokenToId(t).orElseThrow()).toArray();
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }

  private static int[] types(int zeros, int ones) {
    return IntStream.range(0, zeros + ones).map(i -> i < zeros ? 0 : 1).toArray();
  }

  private static Example example(String text, String pair, List<String> context) {
    return new Example(text, pair, context, "card", null, SOURCE, 7);
  }

  @Test
  void singleTextAndPairMatchTheTokenizersLongestFirstTruncation() {
    TextEncoder encoder = new TextEncoder(tokenizer, 9, false);
    Example single = example("where is my package ? it was late", null, List.of());
    Encoding expected = tokenizer.encode(single.text(), null, EncodeOptions.truncatedTo(9));
    EncodedExample got = encoder.encodeInput(single);
    assertArrayEquals(expected.inputIds(), got.inputIds());
    assertArrayEquals(ids("[CLS] where is my package ? it was [SEP]"), got.inputIds());

    Example pair = example("where is my package ?", "it arrived late", List.of());
    got = encoder.encodeInput(pair);
    // 5 + 3 tokens into 6 places: longest first takes two from the text.
    assertArrayEquals(ids("[CLS] where is my [SEP] it arrived late [SEP]"), got.inputIds());
    assertArrayEquals(types(5, 4), got.tokenTypeIds());
    assertArrayEquals(tokenizer.encode(pair.text(), pair.pair(), EncodeOptions.truncatedTo(9)).inputIds(), got.inputIds());
  }

  @Test
  void contextGoesToSegmentAWithTheOldestTurnsDroppedFirst() {
    TextEncoder encoder = new TextEncoder(tokenizer, 14, true);
    Example e = example("refund please", null, List.of("hello", "my card was stolen", "i lost it"));
    EncodedExample got = encoder.encodeInput(e);
    // budget 14 - 3 - 2 = 9: "my card was stolen" [SEP] "i lost it" = 8 fits, "hello" [SEP] would make 10.
    int[] a = ids("my card was stolen [SEP] i lost it");
    assertArrayEquals(concat(ids("[CLS]"), a, ids("[SEP] refund please [SEP]")), got.inputIds());
    assertArrayEquals(types(1 + a.length + 1, 3), got.tokenTypeIds());

    EncodedExample noTurns = encoder.encodeInput(example("refund please", null, List.of()));
    assertArrayEquals(ids("[CLS] [SEP] refund please [SEP]"), noTurns.inputIds(), "the message is always segment B");
    assertArrayEquals(types(2, 3), noTurns.tokenTypeIds());
  }

  @Test
  void aLongMessageKeepsItsStartAndLeavesNoRoomForContext() {
    TextEncoder encoder = new TextEncoder(tokenizer, 7, true);
    EncodedExample got = encoder.encodeInput(example("where is my package ? it was late", null, List.of("hello")));
    assertArrayEquals(ids("[CLS] [SEP] where is my package [SEP]"), got.inputIds());
  }

  @Test
  void contextAndPairTruncateTextAndPairFirstThenFillWithTurns() {
    TextEncoder encoder = new TextEncoder(tokenizer, 13, true);
    Example e = example("where is my package", "it arrived late", List.of("i have an order", "hello"));
    EncodedExample got = encoder.encodeInput(e);
    // budget 10: text 4 + pair 3 = 7 fit untouched; 3 places left: the newest turn "hello" + [SEP] fits, the older one not.
    assertArrayEquals(ids("[CLS] hello [SEP] where is my package [SEP] it arrived late [SEP]"), got.inputIds());
    assertArrayEquals(types(8, 4), got.tokenTypeIds());

    TextEncoder tight = new TextEncoder(tokenizer, 8, true);
    got = tight.encodeInput(e);
    assertArrayEquals(ids("[CLS] where is my [SEP] it arrived [SEP]"), got.inputIds(), "no room for turns");
  }

  @Test
  void neverLongerThanTheLimit() {
    java.util.Random random = new java.util.Random(3);
    String[] words = "hello card refund my the package late where is ? order".split(" ");
    for (int maxLength = 4; maxLength < 20; maxLength++) {
      TextEncoder encoder = new TextEncoder(tokenizer, maxLength, true);
      for (int trial = 0; trial < 20; trial++) {
        List<String> turns = new ArrayList<>();
        for (int t = random.nextInt(4); t > 0; t--) {
          turns.add(sentence(words, random));
        }
        Example e = example(sentence(words, random), random.nextBoolean() ? sentence(words, random) : null, turns);
        EncodedExample got = encoder.encodeInput(e);
        assertTrue(got.length() <= maxLength, "length " + got.length() + " > " + maxLength + " for " + e);
        assertEquals(tokenizer.clsId(), got.inputIds()[0]);
        assertEquals(tokenizer.sepId(), got.inputIds()[got.length() - 1]);
      }
    }
  }

  private static String sentence(String[] words, java.util.Random random) {
    StringBuilder s = new StringBuilder(words[random.nextInt(words.length)]);
    for (int n = random.nextInt(8); n > 0; n--) {
      s.append(' ').append(words[random.nextInt(words.length)]);
    }
    return s.toString();
  }

  @Test
  void targetsComeFromTheLabelMapOrTheScore() {
    TextEncoder encoder = new TextEncoder(tokenizer, 16, false);
    LabelMap labels = LabelMap.sorted(List.of("card", "refund"));
    assertEquals(0, encoder.encode(example("my card", null, List.of()), labels).labelId());

    Example unseen = new Example("my card", null, List.of(), "delivery", null, SOURCE, 12);
    DataFileException e = assertThrows(DataFileException.class, () -> encoder.encode(unseen, labels));
    assertTrue(e.getMessage().startsWith("tickets.jsonl:12: label 'delivery'"), e.getMessage());

    assertEquals(2.5f, encoder.encode(Example.scored("late", 2.5, SOURCE, 3), null).score());
    Example huge = Example.scored("late", 1e300, SOURCE, 4);
    assertTrue(assertThrows(DataFileException.class, () -> encoder.encode(huge, null)).getMessage().startsWith("tickets.jsonl:4:"));
  }

  @Test
  void turnsForAModelTrainedWithoutContextAreAnError() {
    TextEncoder encoder = new TextEncoder(tokenizer, 16, false);
    DataFileException e = assertThrows(DataFileException.class,
        () -> encoder.encodeInput(example("refund please", null, List.of("hello"))));
    assertTrue(e.getMessage().startsWith("tickets.jsonl:7:"), e.getMessage());
  }
}
