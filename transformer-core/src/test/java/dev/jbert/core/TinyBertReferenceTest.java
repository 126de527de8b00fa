package dev.jbert.core;

import static dev.jbert.core.SharedData.assertScaledClose;
import static dev.jbert.core.SharedData.maxAbs;
import static dev.jbert.core.SharedData.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tiny random BERTs against PyTorch float64 (tiny-random-bert/reference/grad_case_*.json):
 * hidden states, pooled output, logits, loss and every parameter gradient, in double to 1e-9 and
 * in float to 1e-4, each scaled by the tensor's largest reference value (SOURCE.md).
 */
class TinyBertReferenceTest {

  static List<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String c : List.of("grad_case_classification", "grad_case_regression", "grad_case_classification_large_init")) {
      out.add(Arguments.of(c, DataType.DOUBLE, 1e-9));
      out.add(Arguments.of(c, DataType.FLOAT, 1e-4));
    }
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void reproducesForwardAndEveryGradient(String caseName, DataType dataType, double rtol) throws Exception {
    JsonNode ref = SharedData.json(SharedData.model("tiny-random-bert").resolve("reference").resolve(caseName + ".json"));
    JsonNode f64 = ref.get("float64");
    try (BertForSequenceClassification model =
        BertForSequenceClassification.fromPretrained(SharedData.model(ref.get("model").asText()), dataType)) {
      assertTrue(model.loadReport().isClean(), "unexpected load report " + model.loadReport());
      model.eval();
      TokenBatch batch = TokenBatch.of(SharedData.ints(ref.get("input_ids")), SharedData.ints(ref.get("token_type_ids")),
          SharedData.ints(ref.get("attention_mask")));
      INDArray logits = model.forward(batch);            // the last layer of first tokens only: the pooler's head
      assertScaledClose("logits", values(logits), values(f64.get("logits")), rtol);
      assertArrayEquals(new long[] {3, model.config().numLabels()}, logits.shape());

      model.parameters().zeroGrad();
      double loss = caseName.contains("regression")
          ? model.loss(values(ref.get("labels")))
          : model.loss(SharedData.intVector(ref.get("labels")));
      assertEquals(f64.get("loss").asDouble(), loss, rtol * Math.abs(f64.get("loss").asDouble()), "loss");
      model.backward();

      Map<String, double[]> grads = new TreeMap<>();
      ref.get("param_names").forEach(n -> grads.put(n.asText(), values(model.parameters().grad(n.asText()))));
      assertEquals(model.parameters().names().size(), grads.size(), "every parameter has a reference gradient");
      double globalMax = 0;
      for (double[] g : grads.values()) {
        globalMax = Math.max(globalMax, maxAbs(g));
      }
      double keyBiasBound = (dataType == DataType.DOUBLE ? 1e-12 : 1e-5) * globalMax;
      for (Map.Entry<String, double[]> e : grads.entrySet()) {
        String name = e.getKey();
        double[] expected = values(f64.get("grads").get(name));
        if (name.endsWith("attention.self.key.bias")) {
          assertTrue(maxAbs(e.getValue()) <= keyBiasBound, name + ": |g| " + maxAbs(e.getValue()) + " > " + keyBiasBound);
        } else {
          assertScaledClose("grad " + name, e.getValue(), expected, rtol);
        }
      }

      model.bert().setOutputHiddenStates(true);          // the encoder on its own: every token of every layer
      BertModel.Output out = model.bert().forward(batch);
      List<INDArray> hidden = out.hiddenStates();
      assertEquals(f64.get("hidden_states").size(), hidden.size());
      for (int i = 0; i < hidden.size(); i++) {
        assertScaledClose("hidden_states[" + i + "]", values(hidden.get(i)), values(f64.get("hidden_states").get(i)), rtol);
      }
      assertScaledClose("pooled_output", values(out.pooledOutput()), values(f64.get("pooled_output")), rtol);
    }
  }
}
