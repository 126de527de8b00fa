package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Real checkpoints against ONNX Runtime: {@code last_hidden_state} of every case in
 * {@code reference/reference.json} (padded batch included) within 1e-4 absolute at attention-mask
 * positions, float32.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncoderReferenceTest {

  @ParameterizedTest
  @ValueSource(strings = {"all-MiniLM-L6-v2", "bge-small-zh-v1.5"})
  void lastHiddenStateMatchesOnnxRuntime(String modelName) throws Exception {
    JsonNode ref = SharedData.json(SharedData.model(modelName).resolve("reference").resolve("reference.json"));
    double atol = ref.get("tolerance_hint").get("atol").asDouble();
    try (BertModel model = BertModel.fromPretrained(SharedData.model(modelName), DataType.FLOAT)) {
      assertEquals(List.of("pooler.dense.weight", "pooler.dense.bias"), model.loadReport().missingKeys(),
          "these exports have no pooler: it is created and reported");
      model.eval();
      int checked = 0;
      for (JsonNode c : ref.get("cases")) {
        int[][] mask = SharedData.ints(c.get("attention_mask"));
        BertModel.Output out = model.forward(SharedData.ints(c.get("input_ids")), SharedData.ints(c.get("token_type_ids")), mask);
        INDArray last = out.lastHiddenState();
        long[] shape = new long[c.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = c.get("shape").get(i).asLong();
        }
        assertArrayEquals(shape, last.shape(), c.get("name").asText());
        double[] actual = SharedData.values(last);
        double[] expected = SharedData.values(c.get("last_hidden_state"));
        int hidden = (int) shape[2];
        int seq = (int) shape[1];
        double maxDiff = 0;
        for (int b = 0; b < shape[0]; b++) {
          for (int s = 0; s < seq; s++) {
            if (mask[b][s] == 0) {
              continue;
            }
            for (int j = 0; j < hidden; j++) {
              int i = (b * seq + s) * hidden + j;
              maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            }
          }
        }
        assertTrue(maxDiff <= atol, modelName + " " + c.get("name").asText() + ": max |diff| " + maxDiff + " > " + atol);
        checked++;
      }
      assertEquals(9, checked);
    }
  }
}
