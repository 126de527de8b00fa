package dev.jbert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JbertClassifier} in {@code local[2]} against {@code Predictor} on the same texts. */
class JbertClassifierTest {

  /** Banking77 messages with the rows that have no text spread among them. */
  private static List<String> textsWithBlanks() {
    List<String> texts = new ArrayList<>(TestModels.banking77Texts(150));
    texts.add(3, null);
    texts.add(40, "");
    texts.add(77, "   ");
    texts.add(null);
    return texts;
  }

  private static void assertSameAnswer(Prediction expected, Row row, String where) {
    assertEquals(expected.label(), row.getAs("prediction"), where);
    assertEquals(expected.score(), (double) row.getAs("score"), 1e-5, where);
    List<Row> top = row.getList(row.fieldIndex("top"));
    assertEquals(expected.topK().size(), top.size(), where);
    for (int k = 0; k < top.size(); k++) {
      assertEquals(expected.topK().get(k).label(), top.get(k).getString(0), where + " top " + k);
      assertEquals(expected.topK().get(k).score(), top.get(k).getDouble(1), 1e-5, where + " top " + k);
    }
    assertEquals(expected.handedOff(), row.getAs("handed_off"), where);
  }

  @Test
  void answersEqualPredictorRowByRowOverMorePartitionsThanCores() throws Exception {
    List<String> texts = textsWithBlanks();
    try (FineTunedModel model = FineTunedModel.load(TestModels.intent())) {
      // a threshold in the middle of the scores, so that some answers are handed off and some not;
      // halfway between two scores, as a batch of 8 and a text alone may differ in the last bits
      double[] scores = texts.stream().filter(t -> t != null && !t.isBlank())
          .mapToDouble(t -> Predictor.of(model).classify(t).score()).sorted().toArray();
      double threshold = (scores[scores.length / 2 - 1] + scores[scores.length / 2]) / 2;
      Predictor predictor = Predictor.of(model).withTopK(3).withHandOff(new HandOff(threshold, "转人工"));

      Dataset<Row> input = SparkTests.texts(texts, 7);
      assertEquals(7, input.rdd().getNumPartitions(), "more partitions than the 2 cores of local[2]");
      List<Row> rows = new JbertClassifier().setModelPath(TestModels.intent().toString())
          .setTopKCol("top").setTopK(3).setHandedOffCol("handed_off").setThreshold(threshold).setHandOffLabel("转人工")
          .setBatchSize(8).transform(input).collectAsList();
      assertEquals(texts.size(), rows.size());
      int handedOff = 0;
      for (Row row : rows) {
        int id = (int) row.getLong(0);
        String text = texts.get(id);
        if (text == null || text.isBlank()) {
          assertNull(row.getAs("prediction"), "row " + id);
          assertNull(row.getAs("score"), "row " + id);
          assertNull(row.getAs("top"), "row " + id);
          assertNull(row.getAs("handed_off"), "row " + id);
          continue;
        }
        Prediction expected = predictor.classify(text);
        assertSameAnswer(expected, row, "row " + id + " '" + text + "'");
        handedOff += expected.handedOff() ? 1 : 0;
      }
      assertTrue(handedOff > 0 && handedOff < scores.length, "the threshold splits the rows: " + handedOff);
    }
  }

  @Test
  void rowsComeBackInTheirOriginalOrder() {
    // lengths deliberately out of order, so that sorting by length inside a batch would show
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      texts.add("card ".repeat(1 + (i * 7) % 13) + "number " + i);
    }
    List<Row> rows = new JbertClassifier().setModelPath(TestModels.intent().toString()).setBatchSize(8)
        .transform(SparkTests.texts(texts, 3)).collectAsList();
    List<Long> ids = rows.stream().map(r -> r.getLong(0)).toList();
    assertEquals(LongStream.range(0, texts.size()).boxed().toList(), ids);
    for (Row row : rows) {
      assertEquals(texts.get((int) row.getLong(0)), row.getString(1), "the text stays with its row");
    }
  }

  @Test
  void pairAndContextModelsReadTheirColumns() throws Exception {
    StructType schema = new StructType().add("text", DataTypes.StringType).add("reply", DataTypes.StringType)
        .add("turns", DataTypes.createArrayType(DataTypes.StringType));
    List<Row> data = List.of(
        RowFactory.create("where is my card", "it ships tomorrow", new String[] {"hello", "how can i help"}),
        RowFactory.create("refund my order please", "here is your refund", new String[0]),
        RowFactory.create("i want my money back", null, null),
        RowFactory.create("hi, good morning", "it ships tomorrow", new String[] {"hi", null, " "}));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SparkTests.spark().sparkContext());
    Dataset<Row> df = SparkTests.spark().createDataFrame(jsc.parallelize(data, 2), schema);

    List<Row> pairs = new JbertClassifier().setModelPath(TestModels.pair().toString()).setPairCol("reply")
        .transform(df).collectAsList();
    List<Row> turns = new JbertClassifier().setModelPath(TestModels.context().toString()).setContextCol("turns")
        .transform(df).collectAsList();
    try (FineTunedModel pair = FineTunedModel.load(TestModels.pair());
        FineTunedModel context = FineTunedModel.load(TestModels.context())) {
      for (int i = 0; i < data.size(); i++) {
        Row in = data.get(i);
        if (in.isNullAt(1)) {
          assertNull(pairs.get(i).getAs("prediction"), "no reply to score");
        } else {
          Prediction p = Predictor.of(pair).classifyPair(in.getString(0), in.getString(1));
          assertEquals(p.label(), pairs.get(i).getAs("prediction"));
          assertEquals(p.score(), (double) pairs.get(i).getAs("score"), 1e-5);
        }
        List<String> earlier = in.isNullAt(2) ? List.of()
            : Arrays.stream((String[]) in.get(2)).filter(t -> t != null && !t.isBlank()).toList();
        Prediction c = Predictor.of(context).classifyInContext(in.getString(0), earlier);
        assertEquals(c.label(), turns.get(i).getAs("prediction"));
        assertEquals(c.score(), (double) turns.get(i).getAs("score"), 1e-5);
      }
    }
  }

  @Test
  void columnsTheModelCannotReadAreRefusedBeforeTheJob() {
    Dataset<Row> df = SparkTests.texts(List.of("where is my card"), 1).withColumn("reply", org.apache.spark.sql.functions.col("text"));
    IllegalArgumentException noPair = assertThrows(IllegalArgumentException.class,
        () -> new JbertClassifier().setModelPath(TestModels.pair().toString()).transform(df));
    assertTrue(noPair.getMessage().contains("set pairCol"), noPair.getMessage());
    IllegalArgumentException pairOnIntent = assertThrows(IllegalArgumentException.class,
        () -> new JbertClassifier().setModelPath(TestModels.intent().toString()).setPairCol("reply").transform(df));
    assertTrue(pairOnIntent.getMessage().contains("unset pairCol"), pairOnIntent.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> new JbertClassifier().setModelPath(TestModels.intent().toString()).setInputCol("message").transform(df));
    assertTrue(missing.getMessage().contains("inputCol 'message' is not a column"), missing.getMessage());
    IllegalArgumentException clash = assertThrows(IllegalArgumentException.class,
        () -> new JbertClassifier().setModelPath(TestModels.intent().toString()).setPredictionCol("reply").transform(df));
    assertTrue(clash.getMessage().contains("already a column"), clash.getMessage());
  }

  /** The driver reads config.json before the job: a multi-label head (one sigmoid per label) is refused there. */
  @Test
  void aMultiLabelModelIsRefusedBeforeTheJob(@TempDir Path folder) throws Exception {
    BertConfig.load(TestModels.intent().resolve("config.json")).withProblemType("multi_label_classification")
        .save(folder.resolve("config.json"));
    Dataset<Row> df = SparkTests.texts(List.of("where is my card"), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new JbertClassifier().setModelPath(folder.toString()).transform(df));
    assertTrue(e.getMessage().startsWith("jbert model path '" + folder + "': config.json's problem_type is "
        + "multi_label_classification"), e.getMessage());
  }

  @Test
  void maxLengthCutsEveryInput() {
    List<String> texts = List.of("where is my card", "where is my card and my refund and my money back please");
    JbertClassifier classifier = new JbertClassifier().setModelPath(TestModels.intent().toString());
    List<Row> full = classifier.transform(SparkTests.texts(texts, 1)).collectAsList();
    assertNotEquals((double) full.get(0).getAs("score"), (double) full.get(1).getAs("score"), "the tails differ");
    // 4 tokens: [CLS] where is [SEP] for both texts, so the answers are the same
    List<Row> cut = classifier.copy(new org.apache.spark.ml.param.ParamMap()).setMaxLength(4)
        .transform(SparkTests.texts(texts, 1)).collectAsList();
    assertEquals((double) cut.get(0).getAs("score"), (double) cut.get(1).getAs("score"), 0.0);
    assertEquals((String) cut.get(0).getAs("prediction"), cut.get(1).getAs("prediction"));
  }

  @Test
  void aModelPathExecutorsCannotReadFailsTheJobNamingIt() {
    Path missing = Path.of("/nonexistent/jbert-model-for-spark-test");
    Dataset<Row> out = new JbertClassifier().setModelPath(missing.toString()).transform(SparkTests.texts(List.of("hello"), 1));
    long start = System.nanoTime();
    Exception e = assertThrows(Exception.class, out::collectAsList);
    String all = messages(e);
    assertTrue(all.contains(missing.toString()) && all.contains("does not exist on executor"), all);
    assertTrue(System.nanoTime() - start < 20_000_000_000L, "fails at once, not after retries");
  }

  private static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      out.append(c).append('\n');
    }
    return out.toString();
  }

  @Test
  void theTaskClosureCarriesTheParamsNotTheWeights() throws Exception {
    JbertClassifier classifier = new JbertClassifier().setModelPath(TestModels.intent().toString());
    StructType schema = SparkTests.texts(List.of("x"), 1).schema();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new ClassifyPartition(classifier.spec(schema)));
    }
    // the tiny model alone has ~18k float parameters (72 KB); the closure is the path and params
    assertTrue(bytes.size() < 4_000, "closure of " + bytes.size() + " bytes");
  }

  @Test
  void eachJvmLoadsAModelOncePerCopy() {
    List<String> texts = TestModels.banking77Texts(40);
    Path shared = TestModels.intentCopy("loaded-once-shared");
    JbertClassifier perExecutor = new JbertClassifier().setModelPath(shared.toString()).setModelSharing(ModelSharing.PER_EXECUTOR);
    perExecutor.transform(SparkTests.texts(texts, 6)).collectAsList();
    perExecutor.transform(SparkTests.texts(texts, 6)).collectAsList();
    assertEquals(1, loads(shared), "one copy for 12 tasks in 2 jobs");

    Path perTask = TestModels.intentCopy("loaded-once-per-task");
    JbertClassifier each = new JbertClassifier().setModelPath(perTask.toString()).setModelSharing(ModelSharing.PER_TASK);
    each.transform(SparkTests.texts(texts, 6)).collectAsList();
    each.transform(SparkTests.texts(texts, 6)).collectAsList();
    int copies = loads(perTask);
    assertTrue(copies >= 1 && copies <= 2, "at most one copy per task slot of local[2], got " + copies);
  }

  private static int loads(Path folder) {
    return ExecutorModels.loads("classifier", folder.toAbsolutePath().normalize());
  }

  @Test
  void aRegressionModelFillsTheScoreOnly() throws Exception {
    Path model = SharedModels.model("tiny-random-bert-regression");
    List<String> texts = List.of("the agent was great", "terrible service", "");
    List<Row> rows = new JbertClassifier().setModelPath(model.toString()).setTopKCol("top")
        .transform(SparkTests.texts(texts, 2)).collectAsList();
    try (FineTunedModel loaded = FineTunedModel.load(model)) {
      Predictor predictor = Predictor.of(loaded);
      for (int i = 0; i < 2; i++) {
        assertEquals(predictor.score(texts.get(i)), (double) rows.get(i).getAs("score"), 1e-5);
        assertNull(rows.get(i).getAs("prediction"));
        assertNull(rows.get(i).getAs("top"));
      }
      assertNull(rows.get(2).getAs("score"));
    }
  }

  @Test
  void bothSharingsGiveTheSameAnswers() {
    List<String> texts = TestModels.banking77Texts(64);
    String path = TestModels.intent().toString();
    List<String> perTask = answers(new JbertClassifier().setModelPath(path).setModelSharing(ModelSharing.PER_TASK), texts);
    List<String> perExecutor = answers(new JbertClassifier().setModelPath(path).setModelSharing(ModelSharing.PER_EXECUTOR), texts);
    assertEquals(perTask, perExecutor);
    assertNotNull(perTask.get(0));
  }

  private static List<String> answers(JbertClassifier classifier, List<String> texts) {
    return classifier.transform(SparkTests.texts(texts, 4)).collectAsList().stream()
        .map(r -> r.getAs("prediction") + " " + String.format("%.6f", (double) r.getAs("score"))).collect(Collectors.toList());
  }
}
