package dev.jbert.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Decoding as transformers' fast BERT tokenizer does it. */
class DecodeTest {

  private final BertTokenizer tokenizer = Shared.tokenizer(Shared.MINILM);

  private String roundTrip(String text, boolean skipSpecialTokens) {
    return tokenizer.decode(tokenizer.encode(text).inputIds(), skipSpecialTokens);
  }

  @Test
  void piecesAreJoinedAndSpecialTokensSkippedOnRequest() {
    assertEquals("can i get a refund for order # 48213?", roundTrip("Can I get a refund for order #48213?", true));
    assertEquals("[CLS] can i get a refund? [SEP]", roundTrip("Can I get a refund?", false));
  }

  @Test
  void spacesBeforePunctuationAndInContractionsAreCleanedUp() {
    assertEquals("hello, world! ok.", roundTrip("hello , world ! ok .", true));
    assertEquals("it hasn't arrived, i'm sure it's lost", roundTrip("It hasn't arrived, I'm sure it's lost", true));
    assertEquals("you've we're", roundTrip("you've we're", true));
  }

  @Test
  void aLeadingContinuationPieceKeepsItsPrefix() {
    // The decoder only glues "##" pieces to a previous piece; the first one is printed as it is.
    assertEquals("##und ok", tokenizer.decode(new int[] {8630, 7929}, true));
  }

  @Test
  void chineseCharactersComeBackSeparatedBySpaces() {
    BertTokenizer zh = Shared.tokenizer(Shared.BGE_ZH);
    assertEquals("谢 谢 ， 问 题 已 经 解 决 了 👍", zh.decode(zh.encode("谢谢，问题已经解决了👍").inputIds(), true));
  }

  @Test
  void unknownIdsAreErrors() {
    assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {101, 30522}, true));
    assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {-1}, true));
  }
}
