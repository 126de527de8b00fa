package dev.jbert.spark;

import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.ood.DetectorKind;
import dev.jbert.finetune.ood.EnergyDetector;
import dev.jbert.finetune.ood.OodDetector;
import dev.jbert.finetune.ood.SoftmaxDetector;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.ScoredLabel;
import dev.jbert.finetune.predict.TopK;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * The work of {@link JbertClassifier} in one partition: borrow a copy of the model from this JVM's
 * {@link ExecutorModels} for each batch of rows, classify the batch, append the answers.
 */
final class ClassifyPartition implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  /** The top-k column's type: most probable first. */
  static final ArrayType TOP_K_TYPE = DataTypes.createArrayType(DataTypes.createStructType(new StructField[] {
      DataTypes.createStructField("label", DataTypes.StringType, false),
      DataTypes.createStructField("score", DataTypes.DoubleType, false)}), false);

  /**
   * Everything a task needs, and nothing heavy.
   *
   * @param maxLength tokens kept per input, or null for the model's own limit
   * @param pairColumn the reply column's name, or null; {@code pairIndex} its position (-1 when null)
   * @param contextColumn the earlier-turns column's name, or null; {@code contextIndex} its position
   * @param topK labels in the top-k column, or 0 for no such column
   * @param threshold the hand-off threshold, or null for the model's saved one
   * @param handOffLabel the hand-off label, or null for the model's saved one
   */
  record Spec(String modelPath, Integer maxLength, int batchSize, ModelSharing sharing, int textIndex,
      String pairColumn, int pairIndex, String contextColumn, int contextIndex, int topK, boolean handedOffColumn,
      Double threshold, String handOffLabel) implements Serializable {

    /** Refuses columns the model was not trained to read, naming the param to change. */
    void checkFits(TaskSettings settings) {
      boolean pairModel = settings.task() == Task.PAIR;
      if (pairModel && pairColumn == null) {
        throw new IllegalArgumentException("jbert model " + modelPath + " matches (message, reply) pairs: set pairCol to"
            + " the column of candidate replies; without them it would score each message alone");
      }
      if (!pairModel && pairColumn != null) {
        throw new IllegalArgumentException("jbert model " + modelPath + " is a " + settings.task().id() + " model of"
            + " single messages and takes no candidate reply: unset pairCol ('" + pairColumn + "')");
      }
      if (!settings.contextSegment() && contextColumn != null) {
        throw new IllegalArgumentException("jbert model " + modelPath + " was trained without earlier turns and takes"
            + " no context: unset contextCol ('" + contextColumn + "')");
      }
    }

    /** Columns appended to each row. */
    int outputs() {
      return 2 + (topK > 0 ? 1 : 0) + (handedOffColumn ? 1 : 0);
    }
  }

  /** A settings record for the model key: the classifier's load-time settings. */
  private record LoadSettings(Integer maxLength) {}

  private final Spec spec;

  ClassifyPartition(Spec spec) {
    this.spec = spec;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    if (!rows.hasNext()) {
      return rows; // an empty partition loads nothing
    }
    ModelFolder folder = ModelFolder.open(spec.modelPath());
    ExecutorModels.Key key = new ExecutorModels.Key("classifier", folder, new LoadSettings(spec.maxLength()), spec.sharing());
    ModelPool<LoadedClassifier> pool = ExecutorModels.pool(key, () -> LoadedClassifier.load(folder.dir(), spec.maxLength()));
    // what every copy shares (immutable): encode rows while another task's batch holds a shared copy
    LoadedClassifier first = borrow(pool);
    Model model;
    try {
      spec.checkFits(first.settings());
      HandOff handOff = JbertClassifier.handOff(first.settings(), spec.threshold(), spec.handOffLabel());
      if (handOff != null && handOff.detector().usesFeatures()) {
        // the executors run the head's logits only; the Mahalanobis and kNN detectors read pooled features
        throw new IllegalArgumentException("jbert model path '" + spec.modelPath() + "': its hand-off is by the "
            + handOff.detector().id() + " detector, which jbert-spark does not run; set a threshold (a top probability)");
      }
      double temperature = first.settings().temperature();
      model = new Model(first.encoder(), first.model().labels(), handOff, temperature,
          handOff == null ? null : handOff.detector() == DetectorKind.ENERGY ? new EnergyDetector(temperature)
              : new SoftmaxDetector(temperature));
    } finally {
      giveBack(pool, first);
    }
    Path source = Path.of("partition " + TaskContext.getPartitionId() + ", row");
    long[] seen = {0};
    return new RowBatches<>(rows, spec.batchSize(), batch -> {
      List<Row> out = classify(pool, model, batch, source, seen[0]);
      seen[0] += batch.size();
      return out;
    });
  }

  /** The immutable parts of a loaded model that tasks use without borrowing a copy. */
  private record Model(TextEncoder encoder, LabelMap labels, HandOff handOff, double temperature, OodDetector detector) {}

  private List<Row> classify(ModelPool<LoadedClassifier> pool, Model model, List<Row> batch, Path source, long firstRow) {
    List<EncodedExample> inputs = new ArrayList<>(batch.size());
    int[] slot = new int[batch.size()]; // the input of each row, or -1 for a row without text
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      String text = text(row, spec.textIndex());
      String pair = spec.pairIndex() < 0 ? null : text(row, spec.pairIndex());
      if (text == null || (spec.pairIndex() >= 0 && pair == null)) {
        slot[i] = -1;
        continue;
      }
      slot[i] = inputs.size();
      inputs.add(model.encoder().encodeInput(new Example(text, pair, context(row), null, null, source, firstRow + i + 1)));
    }
    float[][] logits = new float[0][];
    if (!inputs.isEmpty()) { // a batch without text needs no model
      LoadedClassifier copy = borrow(pool);
      try {
        logits = copy.logits(inputs, spec.batchSize());
      } finally {
        giveBack(pool, copy);
      }
    }
    List<Row> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      Object[] values = Arrays.copyOf(values(row), row.length() + spec.outputs());
      if (slot[i] >= 0) {
        fill(values, row.length(), logits[slot[i]], model);
      }
      out.add(RowFactory.create(values));
    }
    return out;
  }

  /** Writes the answer for one row's logits at {@code at}, {@code at + 1}, ... */
  private void fill(Object[] values, int at, float[] logits, Model model) {
    if (model.labels() == null) { // regression: the score alone
      values[at + 1] = (double) logits[0];
      return;
    }
    List<ScoredLabel> ranked =
        TopK.fromLogits(new float[][] {logits}, model.labels(), Math.max(1, spec.topK()), model.temperature()).get(0);
    Prediction p = model.handOff() == null ? Prediction.of(ranked, null)
        : Prediction.of(ranked, model.handOff(), model.detector().score(logits, null));
    values[at] = p.label();
    values[at + 1] = p.score();
    int next = at + 2;
    if (spec.topK() > 0) {
      Row[] top = new Row[ranked.size()]; // an array: Spark's row encoder takes arrays and Scala Seqs, not Lists
      for (int k = 0; k < top.length; k++) {
        top[k] = RowFactory.create(ranked.get(k).label(), ranked.get(k).score());
      }
      values[next++] = top;
    }
    if (spec.handedOffColumn()) {
      values[next] = p.handedOff();
    }
  }

  /** The string at {@code index}, or null when it is null, empty or blank. */
  static String text(Row row, int index) {
    if (row.isNullAt(index)) {
      return null;
    }
    String s = row.getString(index);
    return s.isBlank() ? null : s;
  }

  private List<String> context(Row row) {
    if (spec.contextIndex() < 0 || row.isNullAt(spec.contextIndex())) {
      return List.of();
    }
    List<String> turns = new ArrayList<>();
    for (Object turn : row.getList(spec.contextIndex())) {
      if (turn != null && !turn.toString().isBlank()) {
        turns.add(turn.toString());
      }
    }
    return turns;
  }

  static Object[] values(Row row) {
    Object[] values = new Object[row.length()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.get(i);
    }
    return values;
  }

  static <M extends AutoCloseable> M borrow(ModelPool<M> pool) {
    try {
      return pool.borrow();
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a jbert model", e);
    } catch (Exception e) {
      throw new IllegalStateException("jbert: loading the model failed on " + ModelFolder.where() + ": " + e.getMessage(), e);
    }
  }

  static <M extends AutoCloseable> void giveBack(ModelPool<M> pool, M model) {
    try {
      pool.giveBack(model);
    } catch (Exception e) {
      throw new IllegalStateException("jbert: closing a model copy failed", e);
    }
  }
}
