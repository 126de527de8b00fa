package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class PretrainedIoTest {

  @TempDir Path tmp;

  private static final Path TINY = SharedData.model("tiny-random-bert");

  @Test
  void saveThenLoadIsBitIdenticalAndNamedLikeTransformers() throws IOException {
    Path out = tmp.resolve("saved");
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(TINY, DataType.FLOAT)) {
      model.savePretrained(out);
      try (BertForSequenceClassification back = BertForSequenceClassification.fromPretrained(out, DataType.FLOAT)) {
        assertTrue(back.loadReport().isClean());
        assertEquals(model.config().toJson(), back.config().toJson());
        for (String name : model.parameters().names()) {
          assertArrayEquals(SharedData.values(model.parameters().value(name)), SharedData.values(back.parameters().value(name)), name);
        }
      }
    }
    LinkedHashMap<String, TensorData> original = Safetensors.read(TINY.resolve("model.safetensors"));
    LinkedHashMap<String, TensorData> saved = Safetensors.read(out.resolve("model.safetensors"));
    assertEquals(new ArrayList<>(original.keySet()), new ArrayList<>(saved.keySet()), "same names in the same (sorted) order");
    for (String name : original.keySet()) {
      assertArrayEquals(original.get(name).data(), saved.get(name).data(), name);
    }
    assertFalse(Files.exists(out.resolve("model.safetensors.tmp")));
  }

  @Test
  void baseModelSavesUnprefixedNamesAndReloads() throws IOException {
    Path out = tmp.resolve("base");
    try (BertModel model = BertModel.fromPretrained(TINY, DataType.FLOAT)) {
      assertTrue(model.loadReport().unexpectedKeys().containsAll(List.of("classifier.weight", "classifier.bias")),
          "a task checkpoint loaded as a bare encoder leaves its head unused");
      model.savePretrained(out);
      assertTrue(Safetensors.read(out.resolve("model.safetensors")).containsKey("encoder.layer.0.attention.self.query.weight"));
      try (BertModel back = BertModel.fromPretrained(out, DataType.FLOAT)) {
        assertTrue(back.loadReport().isClean());
        assertEquals(model.parameters().values(), back.parameters().values());
      }
    }
  }

  @Test
  void baseCheckpointWithLegacyNamesBuffersAndPretrainingHeadsLoadsIntoAClassifier() throws IOException {
    Path base = tmp.resolve("legacy");
    Files.createDirectories(base);
    Files.copy(TINY.resolve("config.json"), base.resolve("config.json"));
    List<TensorData> tensors = new ArrayList<>();
    for (TensorData t : Safetensors.read(TINY.resolve("model.safetensors")).values()) {
      String name = t.name();
      if (name.startsWith("classifier.") || name.startsWith("bert.pooler.")) {
        continue;
      }
      name = name.substring("bert.".length()).replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta");
      tensors.add(new TensorData(name, t.shape(), t.data()));
    }
    tensors.add(new TensorData("embeddings.position_ids", new long[] {1, 4}, new float[] {0, 1, 2, 3}));
    tensors.add(new TensorData("cls.predictions.bias", new long[] {99}, new float[99]));
    Safetensors.write(base.resolve("model.safetensors"), tensors, Map.of("format", "pt"));

    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(base, DataType.DOUBLE);
        BertForSequenceClassification reference = BertForSequenceClassification.fromPretrained(TINY, DataType.DOUBLE)) {
      LoadReport r = model.loadReport();
      assertEquals(List.of("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"),
          r.missingKeys());
      assertEquals(List.of("cls.predictions.bias"), r.unexpectedKeys());
      assertEquals(List.of("embeddings.position_ids"), r.ignoredKeys());
      assertTrue(r.missingWarning().contains("newly initialized"));
      assertEquals(reference.parameters().value("bert.encoder.layer.1.output.LayerNorm.weight"),
          model.parameters().value("bert.encoder.layer.1.output.LayerNorm.weight"), "gamma read as weight");
      double[] w = SharedData.values(model.parameters().value("classifier.weight"));
      double sumSq = 0;
      for (double v : w) {
        sumSq += v * v;
      }
      assertEquals(0.02, Math.sqrt(sumSq / w.length), 0.01, "new head ~ N(0, initializer_range)");
      assertEquals(0.0, SharedData.maxAbs(SharedData.values(model.parameters().value("classifier.bias"))));
      assertEquals(0.0, SharedData.maxAbs(SharedData.values(model.parameters().value("bert.pooler.dense.bias"))));
    }
  }

  @Test
  void anEncoderWithoutPoolerLoadsTheExportedModelsCleanly() throws IOException {
    try (BertModel model = BertModel.fromPretrained(SharedData.model("all-MiniLM-L6-v2"), DataType.FLOAT, false)) {
      assertFalse(model.hasPooler());
      assertTrue(model.loadReport().missingKeys().isEmpty(), model.loadReport().missingWarning());
      assertFalse(model.parameters().contains("pooler.dense.weight"));
    }
  }

  @Test
  void aWrongShapeNamesTheTensorAndBothShapes() throws IOException {
    Path dir = tmp.resolve("bad-shape");
    Files.createDirectories(dir);
    Files.copy(TINY.resolve("model.safetensors"), dir.resolve("model.safetensors"));
    BertConfig.load(TINY.resolve("config.json")).withLabels(List.of("x", "y")).save(dir.resolve("config.json"));
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT));
    assertTrue(e.getMessage().contains("'classifier.weight'") && e.getMessage().contains("[3, 32]")
        && e.getMessage().contains("[2, 32]"), e.getMessage());
  }

  @Test
  void aMissingEncoderWeightIsAnErrorNamingIt() throws IOException {
    Path dir = tmp.resolve("missing");
    Files.createDirectories(dir);
    Files.copy(TINY.resolve("config.json"), dir.resolve("config.json"));
    List<TensorData> tensors = new ArrayList<>(Safetensors.read(TINY.resolve("model.safetensors")).values());
    tensors.removeIf(t -> t.name().equals("bert.encoder.layer.1.intermediate.dense.weight"));
    Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of());
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT));
    assertTrue(e.getMessage().contains("bert.encoder.layer.1.intermediate.dense.weight"), e.getMessage());
  }
}
