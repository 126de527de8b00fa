package dev.jbert.finetune.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.ReadOptions;
import org.junit.jupiter.api.Test;

/** The {@code jbert} block of {@code config.json}: what eval and predict read back. */
class TaskSettingsTest {

  @Test
  void columnNamesSurviveTheConfigFile() throws Exception {
    BertConfig base = BertConfig.load(SharedModels.tinyBert().resolve("config.json"));
    ReadOptions read = ReadOptions.defaults().withTextColumn("question").withPairColumn("answer").withContextColumn("turns")
        .withLabelColumn("fits");
    TaskSettings settings = new TaskSettings(Task.PAIR, true, 64, new HandOff(0.4, "转人工"), TaskSettings.Columns.of(read));

    BertConfig written = settings.writeTo(base);
    assertEquals("answer", written.toJson().get("jbert").get("pair_column").asText());
    TaskSettings back = TaskSettings.read(BertConfig.fromJson(written.toJson()));
    assertEquals(settings, back);
    assertEquals(new TaskSettings.Columns("question", "answer", "turns", "fits"), back.columns());
    assertEquals(back.columns(), back.withHandOff(null).columns(), "a new hand-off keeps the columns");
  }

  @Test
  void aConfigWithoutColumnsHasUnknownOnes() throws Exception {
    BertConfig base = BertConfig.load(SharedModels.tinyBert().resolve("config.json"));
    assertEquals(TaskSettings.Columns.UNKNOWN, TaskSettings.read(base).columns());
    TaskSettings old = new TaskSettings(Task.INTENT, false, 128, null);
    assertEquals(TaskSettings.Columns.UNKNOWN, TaskSettings.read(old.writeTo(base)).columns());
    assertEquals(false, old.writeTo(base).toJson().get("jbert").has("text_column"), "nothing written for unknown columns");
  }

  /** Hugging Face's multi-label heads score each label by its own sigmoid: read as softmax, every score would be wrong. */
  @Test
  void aMultiLabelClassifierIsRefused() throws Exception {
    BertConfig base = BertConfig.load(SharedModels.tinyBert().resolve("config.json"));
    BertConfig multiLabel = base.withLabels(java.util.List.of("billing", "refund", "delivery"))
        .withProblemType("multi_label_classification");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskSettings.read(multiLabel));
    assertTrue(e.getMessage().startsWith("config.json's problem_type is multi_label_classification"), e.getMessage());
    assertEquals(Task.INTENT, TaskSettings.read(multiLabel.withProblemType("single_label_classification")).task());
  }
}
