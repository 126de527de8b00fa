package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertConfigTest {

  @TempDir Path tmp;

  @Test
  void classifierPoolingRoundTripsDefaultsToThePoolerAndRejectsUnknownValues() {
    ObjectMapper json = new ObjectMapper();
    BertConfig plain = BertConfig.fromJson(json.createObjectNode().put("num_labels", 3));
    assertEquals(BertConfig.POOLER, plain.classifierPooling());
    assertFalse(plain.toJson().has(BertConfig.CLASSIFIER_POOLING_KEY));      // Hugging Face configs stay as they were
    BertConfig mean = plain.withClassifierPooling(BertConfig.NORMALIZED_MEAN);
    assertEquals(BertConfig.NORMALIZED_MEAN, BertConfig.fromJson(mean.toJson())
        .classifierPooling());
    assertEquals(BertConfig.NORMALIZED_MEAN, mean.withLabels(List.of("x", "y")).classifierPooling());
    assertEquals(BertConfig.MEAN, BertConfig.fromJson(plain.withClassifierPooling(BertConfig.MEAN).toJson())
        .classifierPooling());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BertConfig.fromJson(json.createObjectNode().put("classifier_pooling", "max")));
    assertTrue(e.getMessage().contains("classifier_pooling 'max'")
        && e.getMessage().contains("pooler, mean, normalized_mean"), e.getMessage());
  }

  @Test
  void readsEveryFieldOfAClassifierConfig() throws IOException {
    BertConfig c = BertConfig.load(SharedData.model("tiny-random-bert").resolve("config.json"));
    assertEquals(99, c.vocabSize());
    assertEquals(32, c.hiddenSize());
    assertEquals(2, c.numHiddenLayers());
    assertEquals(4, c.numAttentionHeads());
    assertEquals(8, c.headSize());
    assertEquals(37, c.intermediateSize());
    assertEquals("gelu", c.hiddenAct());
    assertEquals(0.1, c.hiddenDropoutProb());
    assertEquals(0.1, c.attentionProbsDropoutProb());
    assertEquals(64, c.maxPositionEmbeddings());
    assertEquals(2, c.typeVocabSize());
    assertEquals(0.02, c.initializerRange());
    assertEquals(1e-12, c.layerNormEps());
    assertEquals(0, c.padTokenId());
    assertEquals("absolute", c.positionEmbeddingType());
    assertNull(c.classifierDropout());
    assertEquals(0.1, c.effectiveClassifierDropout());
    assertEquals("single_label_classification", c.problemType());
    assertEquals(List.of("greeting", "delivery", "refund"), c.labels());
    assertEquals(3, c.numLabels());
    assertEquals(2, c.labelToId().get("refund"));
    assertEquals(List.of("BertForSequenceClassification"), c.architectures());
  }

  @Test
  void aBaseConfigHasHuggingFacesTwoDefaultLabels() throws IOException {
    BertConfig c = BertConfig.load(SharedData.model("all-MiniLM-L6-v2").resolve("config.json"));
    assertEquals(List.of("LABEL_0", "LABEL_1"), c.labels());
    assertNull(c.problemType());
    assertEquals("single_label_classification", c.effectiveProblemType());
    BertConfig regression = BertConfig.load(SharedData.model("tiny-random-bert-regression").resolve("config.json"));
    assertEquals(1, regression.numLabels());
    assertEquals("regression", regression.effectiveProblemType());
  }

  @Test
  void roundTripWritesLabelsArchitecturesProblemTypeAndKeepsUnknownKeys() throws IOException {
    Path src = tmp.resolve("in.json");
    Files.writeString(src, "{\"model_type\": \"bert\", \"hidden_size\": 16, \"num_attention_heads\": 4,"
        + " \"vocab_size\": 50, \"custom_key\": {\"a\": [1, 2]}, \"use_cache\": true, \"num_labels\": 3}");
    BertConfig c = BertConfig.load(src).withLabels(List.of("a", "b")).withProblemType("single_label_classification")
        .withArchitectures(List.of("BertForSequenceClassification"));
    Path out = tmp.resolve("config.json");
    c.save(out);
    assertFalse(Files.exists(tmp.resolve("config.json.tmp")), "written through a temporary file, then renamed");
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertEquals("a", json.get("id2label").get("0").asText());
    assertEquals(1, json.get("label2id").get("b").asInt());
    assertEquals("BertForSequenceClassification", json.get("architectures").get(0).asText());
    assertEquals("single_label_classification", json.get("problem_type").asText());
    assertEquals(2, json.get("custom_key").get("a").get(1).asInt());
    assertTrue(json.get("use_cache").asBoolean());
    assertFalse(json.has("num_labels"), "num_labels is implied by id2label, as transformers writes it");
    BertConfig back = BertConfig.load(out);
    assertEquals(c.toJson(), back.toJson());
  }

  @Test
  void numLabelsWithoutId2LabelGivesDefaultNames() {
    BertConfig c = BertConfig.fromJson(new ObjectMapper().createObjectNode().put("num_labels", 4));
    assertEquals(List.of("LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"), c.labels());
  }

  @Test
  void unsupportedModelsFailNamingTheFile() throws IOException {
    Path roberta = tmp.resolve("config.json");
    Files.writeString(roberta, "{\"model_type\": \"roberta\"}");
    IOException e = assertThrows(CheckpointException.class, () -> BertConfig.load(roberta));
    assertTrue(e.getMessage().contains(roberta.toString()) && e.getMessage().contains("roberta"), e.getMessage());

    Files.writeString(roberta, "{\"model_type\": \"bert\", \"position_embedding_type\": \"relative_key\"}");
    e = assertThrows(CheckpointException.class, () -> BertConfig.load(roberta));
    assertTrue(e.getMessage().contains("relative_key"), e.getMessage());

    Files.writeString(roberta, "{\"hidden_act\": \"swish\"}");
    e = assertThrows(CheckpointException.class, () -> BertConfig.load(roberta));
    assertTrue(e.getMessage().contains("swish"), e.getMessage());

    Files.writeString(roberta, "{\"hidden_size\": 10, \"num_attention_heads\": 4}");
    e = assertThrows(CheckpointException.class, () -> BertConfig.load(roberta));
    assertTrue(e.getMessage().contains("not a multiple"), e.getMessage());

    Files.writeString(roberta, "{\"hidden_size\": 10,");
    e = assertThrows(CheckpointException.class, () -> BertConfig.load(roberta));
    assertTrue(e.getMessage().contains(roberta.toString()), e.getMessage());
  }

  @Test
  void aFolderWithoutConfigIsNotAModelFolder() {
    Path missing = tmp.resolve("config.json");
    CheckpointException e = assertThrows(CheckpointException.class, () -> BertConfig.load(missing));
    assertEquals(missing + ": not found: " + tmp.toAbsolutePath() + " is not a Hugging Face model folder "
        + "(it needs config.json, the weights and the tokenizer files)", e.getMessage());
  }
}
