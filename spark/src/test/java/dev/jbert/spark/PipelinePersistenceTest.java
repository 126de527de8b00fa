package dev.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.embed.Pooling;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both transformers are saved and loaded with their params, alone and as stages of a {@code Pipeline}. */
class PipelinePersistenceTest {

  @TempDir Path tmp;

  @BeforeAll
  static void session() {
    SparkTests.spark(); // writers and readers use the active session
  }

  @Test
  void aClassifierSavedAndLoadedKeepsEveryParam() throws Exception {
    JbertClassifier saved = new JbertClassifier().setModelPath(TestModels.intent().toString()).setInputCol("message")
        .setPredictionCol("intent").setScoreCol("confidence").setTopKCol("top").setTopK(2).setHandedOffCol("agent")
        .setThreshold(0.4).setHandOffLabel("转人工").setBatchSize(16).setMaxLength(48).setModelSharing(ModelSharing.PER_EXECUTOR);
    String path = tmp.resolve("classifier").toString();
    saved.write().save(path);
    JbertClassifier loaded = JbertClassifier.load(path);
    assertEquals(saved.uid(), loaded.uid());
    assertEquals(saved.extractParamMap().toString(), loaded.extractParamMap().toString());
    assertEquals(48, loaded.getMaxLength());
    assertEquals(ModelSharing.PER_EXECUTOR, loaded.getModelSharing());
  }

  @Test
  void anEmbedderWithUnsetParamsLoadsThemUnset() throws Exception {
    JbertEmbedder saved = new JbertEmbedder().setModelPath(SharedModels.tinyBert().toString());
    String path = tmp.resolve("embedder").toString();
    saved.write().save(path);
    JbertEmbedder loaded = JbertEmbedder.load(path);
    assertNull(loaded.getPooling(), "unset: the folder's pooling");
    assertNull(loaded.getNormalize());
    assertNull(loaded.getMaxLength());
    assertEquals(saved.extractParamMap().toString(), loaded.extractParamMap().toString());
  }

  @Test
  void aPipelineSavedAndLoadedGivesTheSameRows() throws Exception {
    Dataset<Row> tickets = SparkTests.texts(TestModels.banking77Texts(30), 3).withColumnRenamed("text", "body");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
        new SQLTransformer().setStatement("SELECT id, lower(body) AS message FROM __THIS__"),
        new JbertClassifier().setModelPath(TestModels.intent().toString()).setInputCol("message")
            .setPredictionCol("intent").setScoreCol("confidence").setTopKCol("top").setThreshold(0.3),
        new JbertEmbedder().setModelPath(SharedModels.tinyBert().toString()).setInputCol("message").setPooling(Pooling.MAX)});
    PipelineModel fitted = pipeline.fit(tickets);
    List<Row> before = fitted.transform(tickets).collectAsList();

    String path = tmp.resolve("pipeline").toString();
    fitted.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    Transformer[] stages = loaded.stages();
    assertInstanceOf(JbertClassifier.class, stages[1]);
    assertInstanceOf(JbertEmbedder.class, stages[2]);
    assertEquals(0.3, (double) stages[1].getOrDefault(((JbertClassifier) stages[1]).threshold()), 0.0);
    List<Row> after = loaded.transform(tickets).collectAsList();
    assertEquals(before.size(), after.size());
    for (int i = 0; i < before.size(); i++) {
      assertEquals(before.get(i).toString(), after.get(i).toString(), "row " + i);
    }
    assertEquals(List.of("id", "message", "intent", "confidence", "top", "embedding"), List.of(loaded.transform(tickets).columns()));
  }
}
