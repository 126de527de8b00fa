package dev.jbert.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Loading from tokenizer.json or from vocab.txt with the configs, and the errors for bad files. */
class LoadingTest {

  private static final List<String> SAMPLES = List.of(
      "Hi, I ordered a blue rain jacket last week and it still hasn't arrived.",
      "Can I get a refund for order #48213? The kettle was damaged. [MASK] Café ÅNGSTRÖM",
      "我用iphone下单的，付款时页面显示error 502。谢谢👍 Qi标准",
      "tab\tseparated\u00A0and\u200Bzero width");

  @ParameterizedTest
  @ValueSource(strings = {Shared.MINILM, Shared.BGE_ZH})
  void vocabTxtWithConfigsGivesTheSameIdsAsTokenizerJson(String model) {
    BertTokenizer fromJson = Shared.tokenizer(model);
    BertTokenizer fromVocab = BertTokenizerFixtures.load(
        BertTokenizerFixtures.copy(model, "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"));
    for (String text : SAMPLES) {
      assertArrayEquals(fromJson.encode(text, "a pair").inputIds(), fromVocab.encode(text, "a pair").inputIds(), text);
    }
    assertEquals(fromJson.vocabSize(), fromVocab.vocabSize());
    assertEquals(fromJson.decode(fromJson.encode(SAMPLES.get(1)).inputIds(), true),
        fromVocab.decode(fromVocab.encode(SAMPLES.get(1)).inputIds(), true));
  }

  @ParameterizedTest
  @ValueSource(strings = {Shared.MINILM, Shared.BGE_ZH})
  void aTokenizerJsonUnderAnyNameLoadsAsAFolderHoldingOnlyIt(String model) throws IOException {
    Path renamed = Files.createTempFile("export-", "-tokenizer.json");
    try {
      Files.copy(Shared.model(model).resolve("tokenizer.json"), renamed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      BertTokenizer alone = BertTokenizer.fromTokenizerJson(renamed);
      BertTokenizer inFolder = BertTokenizerFixtures.load(BertTokenizerFixtures.copy(model, "tokenizer.json"));
      for (String text : SAMPLES) {
        assertArrayEquals(inFolder.encode(text, "a pair").inputIds(), alone.encode(text, "a pair").inputIds(), text);
      }
      assertEquals(inFolder.vocabSize(), alone.vocabSize());
      assertEquals(inFolder.padId(), alone.padId());
      assertEquals(OptionalInt.empty(), alone.modelMaxLength());
    } finally {
      Files.delete(renamed);
    }
  }

  @Test
  void vocabTxtAloneUsesBertDefaults() {
    // No configs at all: lowercase, strip accents, [CLS]/[SEP]/[PAD]/[UNK]/[MASK].
    BertTokenizer bare = BertTokenizerFixtures.load(BertTokenizerFixtures.copy(Shared.MINILM, "vocab.txt"));
    BertTokenizer fromJson = Shared.tokenizer(Shared.MINILM);
    assertArrayEquals(fromJson.encode(SAMPLES.get(1)).inputIds(), bare.encode(SAMPLES.get(1)).inputIds());
    assertEquals(OptionalInt.empty(), bare.modelMaxLength());
  }

  @Test
  void settingsAndSpecialIds() {
    BertTokenizer miniLm = Shared.tokenizer(Shared.MINILM);
    assertEquals(30522, miniLm.vocabSize());
    assertEquals(0, miniLm.padId());
    assertEquals(100, miniLm.unkId());
    assertEquals(101, miniLm.clsId());
    assertEquals(102, miniLm.sepId());
    assertEquals(103, miniLm.maskId());
    assertEquals(OptionalInt.of(512), miniLm.modelMaxLength());
    assertEquals(OptionalInt.of(7592), miniLm.tokenToId("hello"));
    assertEquals(OptionalInt.empty(), miniLm.tokenToId("not-a-token"));
    assertEquals("##und", miniLm.idToToken(8630));
    assertEquals(2, miniLm.numSpecialTokensToAdd(false));
    assertEquals(3, miniLm.numSpecialTokensToAdd(true));
    assertEquals(21128, Shared.tokenizer(Shared.BGE_ZH).vocabSize());
    BertTokenizer tiny = Shared.tokenizer(Shared.TINY);
    assertEquals(99, tiny.vocabSize());
    assertEquals(OptionalInt.of(64), tiny.modelMaxLength());
  }

  @Test
  void tokenizerJsonTruncationAndPaddingBlocksBecomeConfiguredOptions() {
    // all-MiniLM-L6-v2's tokenizer.json asks for LongestFirst 128 and Fixed(128) padding.
    EncodeOptions saved = Shared.tokenizer(Shared.MINILM).configuredOptions();
    assertEquals(128, saved.maxLength());
    assertEquals(TruncationStrategy.LONGEST_FIRST, saved.truncation());
    assertEquals(PaddingStrategy.MAX_LENGTH, saved.padding());
    assertEquals(128, Shared.tokenizer(Shared.MINILM).encode("hello", null, saved).length());
    assertEquals(EncodeOptions.DEFAULT, Shared.tokenizer(Shared.BGE_ZH).configuredOptions());
    // encode(text) itself neither truncates nor pads, like transformers.
    assertEquals(3, Shared.tokenizer(Shared.MINILM).encode("hello").length());
  }

  @Test
  void missingUnknownTokenIsNamed() throws IOException {
    Path dir = BertTokenizerFixtures.copy(Shared.TINY, "tokenizer_config.json");
    Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[CLS]\n[SEP]\n[MASK]\nhello\n");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertEquals(dir.resolve("vocab.txt"), e.file());
    assertTrue(e.getMessage().contains("unk_token '[UNK]' is not in the vocabulary"), e.getMessage());
  }

  @Test
  void missingUnknownTokenInTokenizerJsonIsNamed() {
    Path dir = BertTokenizerFixtures.copy(Shared.MINILM, "tokenizer.json");
    Path file = dir.resolve("tokenizer.json");
    edit(file, "\"unk_token\": \"[UNK]\"", "\"unk_token\": \"<unk>\"");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    assertTrue(e.getMessage().contains("'<unk>' is not in the vocabulary"), e.getMessage());
  }

  @Test
  void duplicateTokenInVocabTxtNamesBothLines() throws IOException {
    Path dir = BertTokenizerFixtures.copy(Shared.TINY);
    Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\nhello\n");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().contains("duplicate token 'hello' on lines 6 and 8"), e.getMessage());
  }

  @Test
  void duplicateTokenInTokenizerJsonIsRefused() {
    Path dir = BertTokenizerFixtures.copy(Shared.MINILM, "tokenizer.json");
    Path file = dir.resolve("tokenizer.json");
    edit(file, "\"hello\": 7592", "\"hello\": 7592, \"hello\": 7593");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().contains("tokenizer.json") && e.getMessage().contains("hello"), e.getMessage());
  }

  @Test
  void twoTokensWithOneIdAreRefused() {
    Path dir = BertTokenizerFixtures.copy(Shared.MINILM, "tokenizer.json");
    Path file = dir.resolve("tokenizer.json");
    edit(file, "\"hello\": 7592", "\"hello\": 7593");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().contains("have the same id 7593"), e.getMessage());
  }

  @Test
  void malformedJsonNamesFileAndPosition() throws IOException {
    Path dir = BertTokenizerFixtures.copy(Shared.MINILM);
    Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\",\n \"model\": {\"vocab\": {\"a\": 0,}}");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer.json") + ": malformed JSON at line 2"), e.getMessage());
  }

  @Test
  void malformedConfigIsNamedToo() throws IOException {
    Path dir = BertTokenizerFixtures.copy(Shared.TINY, "vocab.txt");
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": \"yes\"}");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().contains("tokenizer_config.json"), e.getMessage());
    assertTrue(e.getMessage().contains("do_lower_case must be true or false"), e.getMessage());
  }

  @Test
  void unsupportedNormalizerTypeIsNamed() {
    Path dir = BertTokenizerFixtures.copy(Shared.MINILM, "tokenizer.json");
    BertTokenizerFixtures.replaceNormalizer(dir, "{\"type\": \"Lowercase\"}");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().contains("unsupported normalizer type 'Lowercase'"), e.getMessage());
  }

  @Test
  void addedTokensThatNeedNormalizationAreRefused() {
    Path dir = BertTokenizerFixtures.copy(Shared.MINILM, "tokenizer.json");
    Path file = dir.resolve("tokenizer.json");
    edit(file, "\"normalized\": false", "\"normalized\": true");
    TokenizerFormatException e = assertThrows(TokenizerFormatException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().contains("added_tokens[0] '[PAD]'"), e.getMessage());
  }

  /** Replaces the first occurrence of {@code from} in {@code file}. */
  private static void edit(Path file, String from, String to) {
    String content = BertTokenizerFixtures.read(file);
    assertTrue(content.contains(from), "fixture no longer contains " + from);
    BertTokenizerFixtures.write(file, content.replaceFirst(java.util.regex.Pattern.quote(from), to));
  }

  @Test
  void directoryWithoutTokenizerFilesIsAnError() throws IOException {
    Path dir = Files.createTempDirectory("jbert-empty");
    IOException e = assertThrows(IOException.class, () -> BertTokenizer.fromPretrained(dir));
    assertTrue(e.getMessage().contains("neither tokenizer.json nor vocab.txt"), e.getMessage());
    Files.delete(dir);
  }
}
