package dev.jbert.finetune.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelMapTest {

  private static final Path SRC = Path.of("tickets.csv");

  private static List<Example> examples(String... labels) {
    return java.util.stream.IntStream.range(0, labels.length)
        .mapToObj(i -> Example.labelled("text " + i, labels[i], SRC, i + 2L)).toList();
  }

  @Test
  void newHeadsNumberLabelsInSortedOrder() {
    LabelMap map = LabelMap.forExamples(examples("refund", "card_arrival", "refund", "Zeta", "age"), null);
    assertEquals(List.of("Zeta", "age", "card_arrival", "refund"), map.labels(), "String order: upper case first");
    assertEquals(2, map.id("card_arrival"));
    assertEquals("refund", map.label(3));
    assertEquals(Map.of("0", "Zeta", "1", "age", "2", "card_arrival", "3", "refund"), map.id2label());
    assertEquals(List.of("Zeta", "age", "card_arrival", "refund"), List.copyOf(map.label2id().keySet()));
  }

  @Test
  void anExistingHeadWithExactlyTheseLabelsIsKept() {
    LabelMap existing = LabelMap.fromId2Label(Map.of("0", "refund", "1", "age", "2", "card_arrival"));
    LabelMap kept = LabelMap.forExamples(examples("age", "card_arrival", "refund"), existing);
    assertSame(existing, kept);
    assertEquals(0, kept.id("refund"));
  }

  @Test
  void anExistingHeadWithOtherLabelsIsReplacedBySortedIds() {
    LabelMap existing = LabelMap.fromId2Label(Map.of(0, "LABEL_0", 1, "LABEL_1"));
    assertEquals(List.of("a", "b"), LabelMap.forExamples(examples("b", "a"), existing).labels());
    LabelMap superset = LabelMap.fromId2Label(Map.of(0, "c", 1, "b", 2, "a"));
    assertEquals(List.of("a", "b"), LabelMap.forExamples(examples("b", "a"), superset).labels());
  }

  @Test
  void id2labelRoundTrip() {
    LabelMap map = LabelMap.sorted(List.of("x", "y", "z"));
    assertEquals(map, LabelMap.fromId2Label(map.id2label()));
    assertEquals(map, LabelMap.fromLabel2Id(map.label2id()));
    assertThrows(IllegalArgumentException.class, () -> LabelMap.fromLabel2Id(Map.of("x", 0, "y", 0)));
  }

  @Test
  void badId2label() {
    assertThrows(IllegalArgumentException.class, () -> LabelMap.fromId2Label(Map.of(0, "a", 2, "b")));
    assertThrows(IllegalArgumentException.class, () -> LabelMap.fromId2Label(Map.of(0, "a", 1, "a")));
    assertThrows(IllegalArgumentException.class, () -> LabelMap.fromId2Label(Map.of("zero", "a")));
  }

  @Test
  void unseenLabelAtEvaluationNamesFileAndLine() {
    LabelMap map = LabelMap.sorted(List.of("card_arrival", "refund"));
    List<Example> test = examples("refund", "lost_card");
    DataFileException e = assertThrows(DataFileException.class, () -> map.ids(test));
    assertEquals(SRC, e.file());
    assertEquals(3, e.line());
    assertEquals("tickets.csv:3: label 'lost_card' is not one of the model's 2 labels: card_arrival, refund", e.getMessage());
  }

  @Test
  void anUnseenLabelAmongManyNamesTheClosestFew() {
    LabelMap map = LabelMap.sorted(List.of("card_arrival", "card_linking", "card_payment_fee_charged", "cash_withdrawal_charge",
        "lost_or_stolen_card", "age_limit", "apple_pay_or_google_pay", "atm_support", "automatic_top_up",
        "balance_not_updated_after_bank_transfer", "beneficiary_not_allowed", "cancel_transfer"));
    DataFileException e = assertThrows(DataFileException.class, () -> map.ids(examples("Card_Arival")));
    assertTrue(e.getMessage().startsWith("tickets.csv:2: label 'Card_Arival' is not one of the model's 12 labels; "
        + "the closest: card_arrival, card_linking, "), e.getMessage());
    assertEquals(5, e.getMessage().substring(e.getMessage().indexOf("closest: ")).split(", ").length, e.getMessage());
  }

  @Test
  void editDistance() {
    assertEquals(0, LabelMap.editDistance("", ""));
    assertEquals(3, LabelMap.editDistance("kitten", "sitting"));
    assertEquals(1, LabelMap.editDistance("card_arival", "card_arrival"));
  }
}
