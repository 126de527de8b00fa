package dev.jbert.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** Properties over generated texts: truncation bounds, offsets, and decode of encode. */
class TokenizerPropertiesTest {

  private static final String[] TRICKY = {
    "a", "Z", "é", "E\u0301", "İ", "ß", "ﬁ", "'", " ", "  ", "\t", "\n", "\u00A0", "\u200B", "\uFEFF", "\u0085",
    ",", ".", "!", "?", "«", "»", "\u201C", "$", "我", "的", "豈", "한", "か", "👍", "🤗", "\uD83D", "[CLS]", "[SEP]",
    "[MASK]", "[mask]", "##", "refund", "Order", "hasn't", "48213", "\u0000", "\u0007", "\uFFFD", "Ω", "Straße",
  };

  private static final BertTokenizer UNCASED = Shared.tokenizer(Shared.MINILM);
  private static final BertTokenizer CASED = Shared.tokenizer(Shared.BGE_ZH);

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> pieces = Arbitraries.of(TRICKY).list().ofMaxSize(25).map(list -> String.join("", list));
    Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(40);
    Arbitrary<String> longWords = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(90).ofMaxLength(120);
    return Arbitraries.frequencyOf(
        Tuple.of(6, pieces), Tuple.of(3, anyChars), Tuple.of(1, longWords));
  }

  @Provide
  Arbitrary<String> pairs() {
    return Arbitraries.oneOf(texts(), Arbitraries.just(null));
  }

  @Property(tries = 400)
  void longestFirstNeverExceedsMaxLength(
      @ForAll("texts") String text, @ForAll("pairs") String pair, @ForAll @IntRange(min = 3, max = 40) int maxLength) {
    for (BertTokenizer tokenizer : List.of(UNCASED, CASED)) {
      Encoding e = tokenizer.encode(text, pair, EncodeOptions.truncatedTo(maxLength));
      assertTrue(e.length() <= maxLength, e.length() + " > " + maxLength);
      Encoding whole = tokenizer.encode(text, pair);
      if (whole.length() <= maxLength) {
        assertEquals(List.of(whole.tokens()), List.of(e.tokens())); // nothing to cut, nothing cut
      }
    }
  }

  @Property(tries = 300)
  void onlyFirstOrOnlySecondFitOrRefuse(
      @ForAll("texts") String text, @ForAll("texts") String pair, @ForAll @IntRange(min = 3, max = 30) int maxLength) {
    for (TruncationStrategy strategy : List.of(TruncationStrategy.ONLY_FIRST, TruncationStrategy.ONLY_SECOND)) {
      try {
        Encoding e = UNCASED.encode(text, pair, EncodeOptions.DEFAULT.withMaxLength(maxLength).withTruncation(strategy));
        assertTrue(e.length() <= maxLength);
      } catch (IllegalArgumentException refused) {
        assertTrue(refused.getMessage().startsWith("cannot truncate only the"), refused.getMessage());
      }
    }
  }

  @Property(tries = 500)
  void offsetsPointInsideTheInput(@ForAll("texts") String text, @ForAll("pairs") String pair) {
    for (BertTokenizer tokenizer : List.of(UNCASED, CASED)) {
      Encoding e = tokenizer.encode(text, pair);
      int previousEnd = 0;
      int previousSequence = -1;
      for (int i = 0; i < e.length(); i++) {
        int sequence = e.sequenceIds()[i];
        int start = e.offsetStarts()[i];
        int end = e.offsetEnds()[i];
        if (sequence < 0) {
          assertEquals(0, start);
          assertEquals(0, end);
          continue;
        }
        String source = sequence == 0 ? text : pair;
        previousEnd = sequence == previousSequence ? previousEnd : 0;
        assertTrue(0 <= start && start <= end && end <= source.length(), "span " + start + ".." + end);
        assertTrue(start >= previousEnd || start == e.offsetStarts()[i - 1], "spans go forward");
        assertTrue(!splitsSurrogatePair(source, start) && !splitsSurrogatePair(source, end), "span cuts a surrogate pair");
        previousEnd = end;
        previousSequence = sequence;
      }
    }
  }

  private static boolean splitsSurrogatePair(String s, int index) {
    return index > 0 && index < s.length() && Character.isHighSurrogate(s.charAt(index - 1)) && Character.isLowSurrogate(s.charAt(index));
  }

  private static final Pattern PLAIN_WORD = Pattern.compile("[a-z0-9]+|\\p{IsHan}");

  /** Whole-word vocabulary entries that normalization leaves alone. */
  private static List<String> plainWords(BertTokenizer tokenizer) {
    return IntStream.range(0, tokenizer.vocabSize())
        .mapToObj(tokenizer::idToToken)
        .filter(token -> PLAIN_WORD.matcher(token).matches())
        .collect(Collectors.toCollection(ArrayList::new));
  }

  private static final List<String> UNCASED_WORDS = plainWords(UNCASED);
  private static final List<String> CASED_WORDS = plainWords(CASED);

  @Provide
  Arbitrary<String> uncasedVocabularyText() {
    return Arbitraries.of(UNCASED_WORDS).list().ofMinSize(1).ofMaxSize(20).map(words -> String.join(" ", words));
  }

  @Provide
  Arbitrary<String> casedVocabularyText() {
    return Arbitraries.of(CASED_WORDS).list().ofMinSize(1).ofMaxSize(20).map(words -> String.join(" ", words));
  }

  @Property(tries = 300)
  void decodeOfEncodeGivesBackAVocabularyText(@ForAll("uncasedVocabularyText") String english, @ForAll("casedVocabularyText") String chinese) {
    assertEquals(english, UNCASED.decode(UNCASED.encode(english).inputIds(), true));
    assertEquals(chinese, CASED.decode(CASED.encode(chinese).inputIds(), true));
  }

  @Property(tries = 100)
  void encodeAndPrepareForModelAgree(@ForAll("texts") String text, @ForAll("texts") String pair, @ForAll @IntRange(min = 3, max = 30) int maxLength) {
    EncodeOptions options = EncodeOptions.truncatedTo(maxLength).withPadding(PaddingStrategy.MAX_LENGTH);
    Encoding direct = UNCASED.encode(text, pair, options);
    Encoding fromIds = UNCASED.prepareForModel(UNCASED.tokenizeToIds(text), UNCASED.tokenizeToIds(pair), options);
    assertEquals(List.of(direct.tokens()), List.of(fromIds.tokens()));
    assertEquals(Arrays.toString(direct.typeIds()), Arrays.toString(fromIds.typeIds()));
    assertEquals(Arrays.toString(direct.attentionMask()), Arrays.toString(fromIds.attentionMask()));
  }
}
