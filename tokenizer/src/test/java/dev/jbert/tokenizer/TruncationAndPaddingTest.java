package dev.jbert.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Truncation strategies, the fast tokenizer's tie rule, padding, and inputs built from ids. */
class TruncationAndPaddingTest {

  private final BertTokenizer tokenizer = Shared.tokenizer(Shared.MINILM);

  /** Ids 1000, 1001, ... (all real tokens of the vocabulary). */
  private static int[] ids(int n) {
    return IntStream.range(1000, 1000 + n).toArray();
  }

  /**
   * The expectations of the Hugging Face tokenizers library's own test
   * {@code truncate_encodings_longest_first} (max_length 7, no special tokens; sizes 0, 2, 4, 8).
   */
  @ParameterizedTest(name = "{0} + {1} -> {2} + {3}")
  @CsvSource({
    "0,0,0,0", "0,2,0,2", "0,4,0,4", "0,8,0,7",
    "2,0,2,0", "2,2,2,2", "2,4,2,4", "2,8,2,5",
    "4,0,4,0", "4,2,4,2", "4,4,3,4", "4,8,3,4",
    "8,0,7,0", "8,2,5,2", "8,4,4,3", "8,8,3,4",
  })
  void longestFirstFollowsTheFastTokenizer(int first, int second, int keptFirst, int keptSecond) {
    EncodeOptions options = EncodeOptions.truncatedTo(7).withAddSpecialTokens(false);
    Encoding e = tokenizer.prepareForModel(ids(first), ids(second), options);
    assertEquals(keptFirst, count(e.sequenceIds(), 0));
    assertEquals(keptSecond, count(e.sequenceIds(), 1));
    // the kept tokens are the first ones of each sequence
    assertArrayEquals(ids(keptFirst), Arrays.copyOfRange(e.inputIds(), 0, keptFirst));
  }

  @Test
  void specialTokensCountInTheMaximumLength() {
    // Budget 10 - 3 = 7, as in the library's test: a tie 4 + 4 keeps 3 + 4.
    Encoding e = tokenizer.prepareForModel(ids(4), ids(4), EncodeOptions.truncatedTo(10));
    assertEquals(10, e.length());
    assertArrayEquals(new int[] {101, 1000, 1001, 1002, 102, 1000, 1001, 1002, 1003, 102}, e.inputIds());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, e.typeIds());
  }

  @Test
  void singleTextIsCutAtTheEnd() {
    Encoding e = tokenizer.encode("one two three four five", null, EncodeOptions.truncatedTo(5));
    assertEquals(List.of("[CLS]", "one", "two", "three", "[SEP]"), List.of(e.tokens()));
  }

  @Test
  void leftTruncationKeepsTheLastTokens() {
    Encoding e = tokenizer.encode("one two three four five", null, EncodeOptions.truncatedTo(5).withTruncationSide(Side.LEFT));
    assertEquals(List.of("[CLS]", "three", "four", "five", "[SEP]"), List.of(e.tokens()));
  }

  @Test
  void onlyFirstAndOnlySecond() {
    EncodeOptions onlyFirst = EncodeOptions.DEFAULT.withMaxLength(9).withTruncation(TruncationStrategy.ONLY_FIRST);
    Encoding e = tokenizer.prepareForModel(ids(8), ids(2), onlyFirst);
    assertEquals(4, count(e.sequenceIds(), 0));
    assertEquals(2, count(e.sequenceIds(), 1));
    EncodeOptions onlySecond = onlyFirst.withTruncation(TruncationStrategy.ONLY_SECOND);
    Encoding f = tokenizer.prepareForModel(ids(2), ids(8), onlySecond);
    assertEquals(2, count(f.sequenceIds(), 0));
    assertEquals(4, count(f.sequenceIds(), 1));
  }

  @Test
  void impossibleTruncationsAreClearErrors() {
    IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
        () -> tokenizer.encode("a question", "an answer", EncodeOptions.truncatedTo(2)));
    assertEquals("maxLength 2 cannot hold the 3 special tokens added to a pair", tooSmall.getMessage());
    EncodeOptions onlyFirst = EncodeOptions.DEFAULT.withMaxLength(6).withTruncation(TruncationStrategy.ONLY_FIRST);
    IllegalArgumentException shortFirst = assertThrows(IllegalArgumentException.class,
        () -> tokenizer.prepareForModel(ids(2), ids(8), onlyFirst));
    assertEquals("cannot truncate only the first sequence: it has 2 tokens but 7 must go", shortFirst.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> tokenizer.prepareForModel(ids(8), null, onlyFirst.withTruncation(TruncationStrategy.ONLY_SECOND)));
  }

  @Test
  void multiTurnContextDropsTheOldestTurnsFirst() {
    int[] history = concat(tokenizer.tokenizeToIds("my card is lost"), new int[] {tokenizer.sepId()},
        tokenizer.tokenizeToIds("we blocked it"));
    int[] message = tokenizer.tokenizeToIds("can i get a new one ?");
    EncodeOptions options = EncodeOptions.DEFAULT.withMaxLength(16)
        .withTruncation(TruncationStrategy.ONLY_FIRST).withTruncationSide(Side.LEFT);
    Encoding e = tokenizer.prepareForModel(history, message, options);
    assertEquals(16, e.length());
    assertEquals("[CLS] is lost [SEP] we blocked it [SEP] can i get a new one? [SEP]", tokenizer.decode(e.inputIds(), false));
    assertEquals(0, e.offsetEnds()[3]); // built from ids: no text, no spans
  }

  @Test
  void batchPadsToTheLongestWithThePadToken() {
    List<Encoding> batch = tokenizer.encodeBatch(List.of("hello", "hello big world"),
        EncodeOptions.DEFAULT.withPadding(PaddingStrategy.LONGEST));
    Encoding shortOne = batch.get(0);
    assertEquals(5, shortOne.length());
    assertArrayEquals(new int[] {101, 7592, 102, 0, 0}, shortOne.inputIds());
    assertArrayEquals(new int[] {1, 1, 1, 0, 0}, shortOne.attentionMask());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0}, shortOne.typeIds());
    assertArrayEquals(new int[] {-1, 0, -1, -1, -1}, shortOne.sequenceIds());
    assertEquals(List.of("[CLS]", "hello", "[SEP]", "[PAD]", "[PAD]"), List.of(shortOne.tokens()));
    assertEquals(5, batch.get(1).length());
  }

  @Test
  void maxLengthPaddingMultiplesAndLeftSide() {
    assertEquals(12, tokenizer.encode("hello", null, EncodeOptions.DEFAULT.withMaxLength(12).withPadding(PaddingStrategy.MAX_LENGTH)).length());
    EncodeOptions multiple = EncodeOptions.DEFAULT.withPadding(PaddingStrategy.LONGEST).withPadToMultipleOf(8);
    assertEquals(8, tokenizer.encodeBatch(List.of("hello", "hello world"), multiple).get(0).length());
    Encoding left = tokenizer.encode("hello", null, multiple.withPaddingSide(Side.LEFT));
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 101, 7592, 102}, left.inputIds());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, left.attentionMask());
    // A text longer than max_length is left alone by padding when truncation is off.
    assertEquals(4, tokenizer.encode("hello world", null, EncodeOptions.DEFAULT.withMaxLength(2).withPadding(PaddingStrategy.MAX_LENGTH)).length());
  }

  @Test
  void pairsInABatch() {
    List<Encoding> batch = tokenizer.encodeBatch(List.of("question one", "question two"), Arrays.asList("an answer", null),
        EncodeOptions.DEFAULT.withPadding(PaddingStrategy.LONGEST));
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1}, batch.get(0).typeIds());
    assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0, 0}, batch.get(1).attentionMask());
  }

  @Test
  void optionsRefuseContradictions() {
    assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST));
    assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withPadding(PaddingStrategy.MAX_LENGTH));
    assertThrows(IllegalArgumentException.class, () -> EncodeOptions.DEFAULT.withMaxLength(-1));
    IllegalArgumentException unknownId = assertThrows(IllegalArgumentException.class,
        () -> tokenizer.prepareForModel(new int[] {5, 40000}, null, EncodeOptions.DEFAULT));
    assertTrue(unknownId.getMessage().contains("id 40000 at position 1"), unknownId.getMessage());
  }

  private static int count(int[] values, int value) {
    return (int) Arrays.stream(values).filter(v -> v == value).count();
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }
}
