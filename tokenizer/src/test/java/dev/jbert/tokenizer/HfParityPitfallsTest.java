package dev.jbert.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One test per pitfall of {@code shared/docs/HF_PARITY.md}, plus the Unicode-version facts found by
 * comparing every code point with the Hugging Face tokenizers library. Expected tokens are written
 * out; expected ids are the vocabulary's (read from tokenizer.json by hand). MiniLM is uncased
 * (lowercase, strip accents), bge-small-zh is cased with a lower-case vocabulary.
 */
class HfParityPitfallsTest {

  private final BertTokenizer uncased = Shared.tokenizer(Shared.MINILM);
  private final BertTokenizer cased = Shared.tokenizer(Shared.BGE_ZH);

  private static List<String> tokens(BertTokenizer tokenizer, String text) {
    return tokenizer.tokenize(text);
  }

  @ParameterizedTest(name = "U+{0}")
  @ValueSource(strings = {"00A0", "1680", "2000", "2007", "200A", "202F", "205F", "3000", "2028", "2029"})
  void unicodeSpacesSplitWordsLikeASpace(String hex) {
    String space = Character.toString(Integer.parseInt(hex, 16));
    assertEquals(List.of("hello", "world"), tokens(uncased, "hello" + space + "world"));
  }

  @Test
  void javaWhitespaceIsNotTheRightTest() {
    // The trap: Java says these are not white space, Hugging Face (Unicode White_Space) says they are.
    assertFalse(Character.isWhitespace('\u00A0') || Character.isWhitespace('\u2007') || Character.isWhitespace('\u202F'));
    assertEquals(tokens(uncased, "a b c d"), tokens(uncased, "a\u00A0b\u2007c\u202Fd"));
  }

  @Test
  void zeroWidthSpaceAndByteOrderMarkVanishInsideTheWord() {
    // Format characters (Cf) are dropped, not turned into spaces: the word stays one word.
    assertEquals(List.of("hello"), tokens(uncased, "hel\u200Blo"));
    assertEquals(List.of("hello"), tokens(uncased, "\uFEFFhello"));
    assertEquals(List.of("hello"), tokens(uncased, "hel\u2060lo\u00AD"));
  }

  @Test
  void controlCharactersAreDroppedButTabsAndNewlinesSplit() {
    assertEquals(List.of("hello"), tokens(uncased, "hel\u0007lo\u0000\uFFFD"));
    assertEquals(List.of("hello", "world", "again"), tokens(uncased, "hello\tworld\r\nagain"));
    // Controls that Unicode also calls white space are still dropped: the filter runs first.
    assertEquals(List.of("hello"), tokens(uncased, "hel\u0085lo"));
    assertEquals(List.of("hello"), tokens(uncased, "hel\u000Blo\u000C"));
    assertEquals(List.of("hello"), tokens(uncased, "hel\uE000lo")); // private use (Co) too
  }

  @Test
  void curlyQuotesAndGuillemetsArePunctuation() {
    // Pi/Pf are Java types 29 and 30, easy to forget next to 20..24.
    Encoding e = uncased.encode("\u201Chello\u201D \u00ABworld\u00BB", null, EncodeOptions.DEFAULT.withAddSpecialTokens(false));
    assertEquals(List.of("\u201C", "hello", "\u201D", "\u00AB", "world", "\u00BB"), List.of(e.tokens()));
    assertArrayEquals(new int[] {1523, 7592, 1524, 1077, 2088, 1090}, e.inputIds());
  }

  @Test
  void asciiSymbolsCountAsPunctuation() {
    assertEquals(List.of("a", "$", "b", "+", "c", "|", "d", "`", "e", "^"), tokens(uncased, "a$b+c|d`e^"));
  }

  @Test
  void turkishDefaultLocaleChangesNothing() {
    List<String> expected = List.of("title", "iris", "istanbul");
    Locale saved = Locale.getDefault();
    try {
      Locale.setDefault(Locale.forLanguageTag("tr-TR"));
      // With String.toLowerCase() in this locale, I would become a dotless ı.
      assertEquals(expected, tokens(uncased, "TITLE IRIS \u0130stanbul"));
      assertEquals(expected, tokens(BertTokenizerFixtures.reloaded(Shared.MINILM), "TITLE IRIS \u0130stanbul"));
    } finally {
      Locale.setDefault(saved);
    }
  }

  @Test
  void capitalIWithDotLowercasesToTwoCharactersWithoutStripAccents() {
    // Rust's to_lowercase gives "i\u0307" (Java's Character.toLowerCase gives a bare "i"). No
    // vocabulary piece holds U+0307, so the reference answers [UNK] where a naive port says "i".
    BertTokenizer lowercaseOnly = BertTokenizerFixtures.withNormalizer(Shared.MINILM, "\"lowercase\": true, \"strip_accents\": false");
    assertEquals(List.of("[UNK]"), tokens(lowercaseOnly, "\u0130"));
    assertEquals(List.of("i"), tokens(lowercaseOnly, "I"));
    // With strip_accents the dot goes first (NFD, then Mn dropped) and "i" remains.
    assertEquals(List.of("i"), tokens(uncased, "\u0130"));
  }

  @Test
  void supplementaryCharactersAreOneCharacterWithTwoChars() {
    Encoding e = cased.encode("谢谢👍", null, EncodeOptions.DEFAULT.withAddSpecialTokens(false));
    assertEquals(List.of("谢", "谢", "👍"), List.of(e.tokens()));
    assertEquals(8102, e.inputIds()[2]);
    assertEquals(2, e.offsetStarts()[2]);
    assertEquals(4, e.offsetEnds()[2]); // UTF-16 offsets: the emoji is a surrogate pair
    Encoding unknown = uncased.encode("ok 🤗!", null, EncodeOptions.DEFAULT.withAddSpecialTokens(false));
    assertEquals(List.of("ok", "[UNK]", "!"), List.of(unknown.tokens()));
    assertEquals("🤗", "ok 🤗!".substring(unknown.offsetStarts()[1], unknown.offsetEnds()[1]));
  }

  @Test
  void hundredCodePointsTokenizeAndHundredAndOneAreUnknown() {
    // The limit counts code points, not chars: 100 emoji are 200 chars and still tokenize.
    Encoding hundred = cased.encode("👍".repeat(100), null, EncodeOptions.DEFAULT.withAddSpecialTokens(false));
    assertEquals(100, hundred.length());
    assertEquals("👍", hundred.tokens()[0]);
    assertEquals("##👍", hundred.tokens()[99]);
    assertEquals(List.of("[UNK]"), tokens(cased, "👍".repeat(101)));
    assertFalse(tokens(uncased, "a".repeat(100)).contains("[UNK]"));
    assertEquals(List.of("[UNK]"), tokens(uncased, "a".repeat(101)));
  }

  @ParameterizedTest(name = "U+{0}")
  @ValueSource(strings = {"4E00", "9FFF", "3400", "4DBF", "F900", "FAFF", "20000", "2A6DF", "2A700", "2B73F", "2B740",
      "2B81F", "2B920", "2CEAF", "2F800", "2FA1F"})
  void cjkIdeographRangesAreIsolated(String hex) {
    String ideograph = Character.toString(Integer.parseInt(hex, 16));
    List<String> pieces = tokens(cased, "ab" + ideograph + "ab");
    assertEquals(3, pieces.size(), pieces.toString());
    assertEquals("ab", pieces.get(0));
    assertEquals("ab", pieces.get(2));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"한", "か", "カ", "ㄱ"})
  void hangulAndKanaAreNotIsolated(String letter) {
    Encoding e = cased.encode("ab" + letter + "ab", null, EncodeOptions.DEFAULT.withAddSpecialTokens(false));
    // One word: a single [UNK] over all of it, or pieces that continue each other.
    assertEquals(0, e.offsetStarts()[0]);
    assertEquals(5, e.offsetEnds()[e.length() - 1]);
    for (int i = 1; i < e.length(); i++) {
      assertTrue(e.tokens()[i].startsWith("##"), List.of(e.tokens()).toString());
    }
  }

  @Test
  void accentsAreStrippedOnlyWhenLowercasing() {
    assertEquals(List.of("cafe", "naive"), tokens(uncased, "Café NAÏVE"));
    assertArrayEquals(new int[] {7668, 15743}, uncased.tokenizeToIds("Café NAÏVE"));
    // Cased model, strip_accents null and lowercase false: the accent stays and "café" is unknown.
    assertEquals(List.of("[UNK]"), tokens(cased, "café"));
    assertEquals(List.of("cafe"), tokens(cased, "cafe"));
  }

  @Test
  void upperCaseLatinIsUnknownInTheCasedModelWithALowerCaseVocabulary() {
    assertEquals(List.of("[UNK]", "x"), tokens(cased, "Qi x"));
  }

  @Test
  void specialTokensInTextAreKeptWholeButOnlyInTheirExactCase() {
    assertArrayEquals(new int[] {101, 7592, 103, 102}, uncased.encode("hello [MASK]").inputIds());
    assertEquals(List.of("hello", "[", "mask", "]"), tokens(uncased, "hello [mask]"));
    assertEquals(List.of("[CLS]", "[SEP]", "[PAD]", "[UNK]", "a"), tokens(uncased, "[CLS][SEP] [PAD][UNK]a"));
    Encoding e = uncased.encode("x[MASK]", null, EncodeOptions.DEFAULT.withAddSpecialTokens(false));
    assertArrayEquals(new int[] {1, 7}, e.offsetEnds()); // the literal special token keeps its span
  }

  @Test
  void unicode8PunctuationAndMarksAsTheReferenceSeesThem() {
    // Punctuation added after Unicode 8.0 is part of the word in the reference...
    assertEquals(1, tokens(cased, "ab\u2E43ab").size());
    // ...and U+166D, punctuation in 8.0 (a symbol today), still splits.
    assertEquals(3, tokens(cased, "ab\u166Dab").size());
    // A non-spacing mark added in Unicode 9.0 is not stripped: "aa" alone would be a known word.
    assertEquals(List.of("[UNK]"), tokens(uncased, "a\u08D4a"));
    assertEquals(List.of("aa"), tokens(uncased, "a\u0301a"));
    // A format character added in Unicode 9.0 is not removed by clean_text.
    assertEquals(List.of("[UNK]"), tokens(uncased, "a\u08E2a"));
  }

  @Test
  void loneSurrogatesAreTreatedAsReplacementCharacters() {
    assertEquals(List.of("hello"), tokens(uncased, "hel\uD83Dlo"));
  }
}
