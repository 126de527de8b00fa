package dev.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.embed.Pooling;
import dev.jbert.finetune.embed.SentenceEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** {@link JbertEmbedder} in {@code local[2]} against {@code SentenceEmbedder} (what {@code jbert embed} runs) and ONNX Runtime. */
class JbertEmbedderTest {

  private static final Path MINI_LM = SharedModels.model("all-MiniLM-L6-v2");

  private static float[] embedding(Row row) {
    List<Float> v = row.getList(row.fieldIndex("embedding"));
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  private static void assertClose(float[] expected, float[] actual, double tolerance, String where) {
    assertEquals(expected.length, actual.length, where);
    for (int j = 0; j < expected.length; j++) {
      assertEquals(expected[j], actual[j], tolerance, where + " [" + j + "]");
    }
  }

  @Test
  void embeddingsEqualSentenceEmbeddersRowByRow() throws Exception {
    List<String> texts = new ArrayList<>(TestModels.banking77Texts(40));
    texts.add(5, null);
    texts.add(17, "");
    List<Row> rows = new JbertEmbedder().setModelPath(MINI_LM.toString()).setBatchSize(8)
        .transform(SparkTests.texts(texts, 5)).collectAsList();
    try (SentenceEmbedder embedder = SentenceEmbedder.load(MINI_LM)) {
      for (Row row : rows) {
        int id = (int) row.getLong(0);
        String text = texts.get(id);
        if (text == null || text.isEmpty()) {
          assertNull(row.getAs("embedding"), "row " + id);
          continue;
        }
        assertClose(embedder.embed(text), embedding(row), 1e-5, "row " + id);
      }
    }
  }

  @Test
  void meanPoolingMatchesOnnxRuntimesHiddenStates() throws Exception {
    // independent of jbert's encoder: the mean over ONNX Runtime's last hidden states of each reference text
    JsonNode cases = new ObjectMapper().readTree(MINI_LM.resolve("reference/reference.json").toFile()).get("cases");
    List<String> texts = new ArrayList<>();
    List<float[]> expected = new ArrayList<>();
    for (JsonNode c : cases) {
      if (c.get("texts").size() != 1 || !c.get("text_pairs").isNull()) {
        continue;
      }
      texts.add(c.get("texts").get(0).asText());
      JsonNode tokens = c.get("last_hidden_state").get(0);
      float[] mean = new float[tokens.get(0).size()];
      for (JsonNode token : tokens) {
        for (int j = 0; j < mean.length; j++) {
          mean[j] += (float) (token.get(j).asDouble() / tokens.size());
        }
      }
      expected.add(mean);
    }
    assertTrue(texts.size() >= 5, "reference cases: " + texts.size());
    List<Row> rows = new JbertEmbedder().setModelPath(MINI_LM.toString()).setPooling(Pooling.MEAN).setNormalize(false)
        .transform(SparkTests.texts(texts, 2)).collectAsList();
    for (int i = 0; i < texts.size(); i++) {
      assertClose(expected.get(i), embedding(rows.get(i)), 1e-4, texts.get(i));
    }
  }

  @Test
  void poolingNormalisationAndLengthAreTheLoadersSettings() throws Exception {
    List<String> texts = TestModels.banking77Texts(6);
    List<Row> rows = new JbertEmbedder().setModelPath(MINI_LM.toString()).setPooling(Pooling.CLS).setNormalize(true)
        .setMaxLength(8).setOutputCol("v").transform(SparkTests.texts(texts, 2)).collectAsList();
    try (SentenceEmbedder embedder = SentenceEmbedder.load(MINI_LM, Pooling.CLS, true, 8, 32)) {
      for (int i = 0; i < texts.size(); i++) {
        List<Float> v = rows.get(i).getList(rows.get(i).fieldIndex("v"));
        float[] actual = new float[v.size()];
        double norm = 0;
        for (int j = 0; j < actual.length; j++) {
          actual[j] = v.get(j);
          norm += actual[j] * actual[j];
        }
        assertEquals(1.0, norm, 1e-5, "unit length");
        assertClose(embedder.embed(texts.get(i)), actual, 1e-5, texts.get(i));
      }
    }
  }
}
