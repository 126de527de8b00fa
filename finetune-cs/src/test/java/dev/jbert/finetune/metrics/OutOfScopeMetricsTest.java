package dev.jbert.finetune.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutOfScopeMetricsTest {

  @Test
  void handOffCountsAsOutOfScope() {
    List<String> gold = List.of("balance", "balance", "transfer", "oos", "oos", "oos", "oos");
    List<String> pred = List.of("balance", "transfer_to_agent", "transfer", "oos", "transfer_to_agent", "balance", "oos");
    OutOfScopeMetrics m = OutOfScopeMetrics.compute(gold, pred, "oos", "transfer_to_agent");
    assertEquals(2.0 / 3, m.inScopeAccuracy(), 1e-15, "a hand-off on an in-scope query is a miss");
    assertEquals(3.0 / 4, m.outOfScopeRecall(), 1e-15);
    assertEquals(3.0 / 4, m.outOfScopePrecision(), 1e-15, "4 said out of scope, 3 were");
    assertEquals(3, m.inScopeCount());
    assertEquals(4, m.outOfScopeCount());

    OutOfScopeMetrics noHandOff = OutOfScopeMetrics.compute(gold, pred, "oos", null);
    assertEquals(2.0 / 4, noHandOff.outOfScopeRecall(), 1e-15);
  }

  @Test
  void metricsFileIsJson(@TempDir Path dir) throws IOException {
    Map<String, Object> entries = new LinkedHashMap<>();
    entries.put("split", "test");
    entries.put("classification", ClassificationMetrics.compute(new int[] {0, 1}, new int[] {0, 0}, List.of("a", "b")));
    entries.put("regression", RegressionMetrics.compute(new double[] {1, 2}, new double[] {1, 1}));
    entries.put("out_of_scope", OutOfScopeMetrics.compute(List.of("a", "oos"), List.of("a", "oos"), "oos", null));
    Path file = dir.resolve("run/metrics.json");
    MetricsFile.write(file, entries);
    JsonNode root = Json.MAPPER.readTree(file.toFile());
    assertEquals("test", root.get("split").asText());
    assertEquals(0.5, root.at("/classification/accuracy").asDouble(), 1e-15);
    assertEquals(1, root.at("/classification/confusion/1/0").asInt());
    assertEquals("b", root.at("/classification/per_class/1/label").asText());
    assertEquals("NaN", root.at("/regression/pearson").asText());
    assertEquals(1.0 / 3, root.at("/classification/macro_f1").asDouble(), 1e-15);
    assertEquals(1.0, root.at("/out_of_scope/out_of_scope_recall").asDouble(), 0.0);
    assertSnakeCase(root, "");
  }

  /** Every key of the file is snake_case, as Hugging Face's metric names (macro_f1, not macroF1). */
  private static void assertSnakeCase(JsonNode node, String path) {
    node.fields().forEachRemaining(field -> {
      assertTrue(field.getKey().matches("[a-z][a-z0-9]*(_[a-z0-9]+)*"), path + "/" + field.getKey());
      assertSnakeCase(field.getValue(), path + "/" + field.getKey());
    });
    for (int i = 0; i < node.size() && node.isArray(); i++) {
      assertSnakeCase(node.get(i), path + "/" + i);
    }
  }
}
