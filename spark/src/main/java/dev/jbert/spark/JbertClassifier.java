package dev.jbert.spark;

import dev.jbert.core.config.BertConfig;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.TaskSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies a text column with a model fine-tuned by jbert (intents, reply matching, scores): a
 * spark.ml {@code Transformer} that appends the predicted label and its probability, and on request
 * the top-k labels and whether the answer was handed off to a person.
 *
 * <pre>{@code
 * Dataset<Row> labelled = new JbertClassifier()
 *     .setModelPath("/models/banking77")          // readable at this path on every executor
 *     .setInputCol("message")
 *     .setPredictionCol("intent").setScoreCol("confidence")
 *     .transform(tickets);
 * }</pre>
 *
 * <p>Answers are those of {@code Predictor} for the same texts: a pair model ({@code task: pair})
 * needs {@link #pairCol} (the candidate reply, segment B), a model trained with earlier turns takes
 * {@link #contextCol} (array of strings, oldest first), and any other combination is refused before
 * the job starts. For a regression model the score column holds the predicted score and the other
 * columns are null. Rows with a null, empty or blank text (or, for a pair model, reply) get nulls.
 *
 * <p>Output columns: {@link #predictionCol} (string, default {@code prediction}), {@link #scoreCol}
 * (double, default {@code score}: the probability of the best class, as Hugging Face's pipeline
 * names it), {@link #topKCol} (array of {@code struct<label: string, score: double>}, most probable
 * first, {@link #topK} of them; only when set) and {@link #handedOffCol} (boolean; only when set).
 * Below the hand-off threshold (the model's saved one, or {@link #threshold}) the prediction is the
 * hand-off label.
 *
 * <p>Saved and loaded with {@code write().save(path)} / {@link #load(String)}, alone or inside a
 * {@code Pipeline}; the saved stage holds the params, not the weights.
 */
public final class JbertClassifier extends JbertTransformer<JbertClassifier> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(JbertClassifier.class);

  /** See {@link #pairCol()}. */
  private final Param<String> pairCol;
  /** See {@link #contextCol()}. */
  private final Param<String> contextCol;
  /** See {@link #predictionCol()}. */
  private final Param<String> predictionCol;
  /** See {@link #scoreCol()}. */
  private final Param<String> scoreCol;
  /** See {@link #topKCol()}. */
  private final Param<String> topKCol;
  /** See {@link #handedOffCol()}. */
  private final Param<String> handedOffCol;
  /** See {@link #topK()}. */
  private final IntParam topK;
  /** See {@link #threshold()}. */
  private final DoubleParam threshold;
  /** See {@link #handOffLabel()}. */
  private final Param<String> handOffLabel;

  /** A classifier stage with a random uid and the default params. */
  public JbertClassifier() {
    this(Identifiable.randomUID("jbertClassifier"));
  }

  /** A classifier stage with this uid (as Spark ML's readers make it) and the default params. */
  public JbertClassifier(String uid) {
    super(uid);
    pairCol = new Param<>(this, "pairCol", "the column of candidate replies (segment B) for a pair model (string)");
    contextCol = new Param<>(this, "contextCol",
        "the column of earlier turns, oldest first, for a model trained with context (array<string>)");
    predictionCol = new Param<>(this, "predictionCol", "output: the predicted label, or the hand-off label (string)");
    scoreCol = new Param<>(this, "scoreCol", "output: the probability of the best label, or a regression model's score (double)");
    topKCol = new Param<>(this, "topKCol", "output: the topK most probable labels (array<struct<label,score>>); unset: none");
    handedOffCol = new Param<>(this, "handedOffCol", "output: whether the answer was handed off (boolean); unset: none");
    topK = new IntParam(this, "topK", "labels listed in topKCol (>= 1)", ParamValidators.gtEq(1));
    threshold = new DoubleParam(this, "threshold",
        "hand off below this probability, in [0, 1]; unset: the model's saved threshold, if any", ParamValidators.inRange(0, 1));
    handOffLabel = new Param<>(this, "handOffLabel",
        "the answer below the threshold; unset: the model's saved label, else " + HandOff.TRANSFER_TO_AGENT);
    setDefault(predictionCol, "prediction");
    setDefault(scoreCol, "score");
    setDefault(topK, 3);
  }

  /** Reads a classifier saved with {@code write().save(path)}. */
  public static MLReader<JbertClassifier> read() {
    return new DefaultParamsReader<>();
  }

  /** The classifier saved at {@code path}. */
  public static JbertClassifier load(String path) {
    return read().load(path);
  }

  /** The column of candidate replies (segment B) for a pair model (string). */
  public Param<String> pairCol() {
    return pairCol;
  }

  /** The column of earlier turns, oldest first, for a model trained with context ({@code array<string>}). */
  public Param<String> contextCol() {
    return contextCol;
  }

  /** Output: the predicted label, or the hand-off label (string). */
  public Param<String> predictionCol() {
    return predictionCol;
  }

  /** Output: the probability of the best label, or a regression model's score (double). */
  public Param<String> scoreCol() {
    return scoreCol;
  }

  /** Output: the {@code topK} most probable labels ({@code array<struct<label,score>>}); unset: none. */
  public Param<String> topKCol() {
    return topKCol;
  }

  /** Output: whether the answer was handed off (boolean); unset: none. */
  public Param<String> handedOffCol() {
    return handedOffCol;
  }

  /** Labels listed in {@code topKCol} (>= 1). */
  public IntParam topK() {
    return topK;
  }

  /** Hand off below this probability, in [0, 1]; unset: the model's saved threshold, if any. */
  public DoubleParam threshold() {
    return threshold;
  }

  /** The answer below the threshold; unset: the model's saved label, else {@value HandOff#TRANSFER_TO_AGENT}. */
  public Param<String> handOffLabel() {
    return handOffLabel;
  }

  /** Sets {@link #pairCol()}. */
  public JbertClassifier setPairCol(String value) {
    set(pairCol, value);
    return this;
  }

  /** Sets {@link #contextCol()}. */
  public JbertClassifier setContextCol(String value) {
    set(contextCol, value);
    return this;
  }

  /** Sets {@link #predictionCol()}. */
  public JbertClassifier setPredictionCol(String value) {
    set(predictionCol, value);
    return this;
  }

  /** Sets {@link #scoreCol()}. */
  public JbertClassifier setScoreCol(String value) {
    set(scoreCol, value);
    return this;
  }

  /** Sets {@link #topKCol()}. */
  public JbertClassifier setTopKCol(String value) {
    set(topKCol, value);
    return this;
  }

  /** Sets {@link #handedOffCol()}. */
  public JbertClassifier setHandedOffCol(String value) {
    set(handedOffCol, value);
    return this;
  }

  /** Sets {@link #topK()}. */
  public JbertClassifier setTopK(int value) {
    set(topK, value);
    return this;
  }

  /** Sets {@link #threshold()}. */
  public JbertClassifier setThreshold(double value) {
    set(threshold, value);
    return this;
  }

  /** Sets {@link #handOffLabel()}. */
  public JbertClassifier setHandOffLabel(String value) {
    set(handOffLabel, value);
    return this;
  }

  private String optional(Param<String> p) {
    return isDefined(p) && !$(p).isEmpty() ? $(p) : null;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    requireModelPath();
    requireStringColumn(schema, "inputCol", getInputCol());
    if (optional(pairCol) != null) {
      requireStringColumn(schema, "pairCol", optional(pairCol));
    }
    if (optional(contextCol) != null) {
      requireStringArrayColumn(schema, "contextCol", optional(contextCol));
    }
    if (getMaxLength() != null && getMaxLength() < 4) {
      throw new IllegalArgumentException("maxLength must be at least 4 for a classifier ([CLS] and two [SEP] around"
          + " a token), got " + getMaxLength());
    }
    StructType out = append(schema, "predictionCol", DataTypes.createStructField($(predictionCol), DataTypes.StringType, true));
    out = append(out, "scoreCol", DataTypes.createStructField($(scoreCol), DataTypes.DoubleType, true));
    if (optional(topKCol) != null) {
      out = append(out, "topKCol", DataTypes.createStructField(optional(topKCol), ClassifyPartition.TOP_K_TYPE, true));
    }
    if (optional(handedOffCol) != null) {
      out = append(out, "handedOffCol", DataTypes.createStructField(optional(handedOffCol), DataTypes.BooleanType, true));
    }
    return out;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    StructType out = transformSchema(schema);
    ClassifyPartition.Spec spec = spec(schema);
    TaskSettings settings = settingsOnDriver(spec.modelPath());
    if (settings != null) {
      spec.checkFits(settings); // before any task starts, when the driver can read the folder
    }
    return dataset.toDF().mapPartitions(new ClassifyPartition(spec), Encoders.row(out));
  }

  /** What the tasks need: the params and column positions, no weights. */
  ClassifyPartition.Spec spec(StructType schema) {
    String pair = optional(pairCol);
    String context = optional(contextCol);
    return new ClassifyPartition.Spec(requireModelPath(), getMaxLength(), getBatchSize(), getModelSharing(),
        schema.fieldIndex(getInputCol()), pair, pair == null ? -1 : schema.fieldIndex(pair), context,
        context == null ? -1 : schema.fieldIndex(context), optional(topKCol) == null ? 0 : (Integer) $(topK),
        optional(handedOffCol) != null, isDefined(threshold) ? (Double) $(threshold) : null, optional(handOffLabel));
  }

  /**
   * The task settings in the folder's {@code config.json}, when the driver can read it (reading the
   * weights is left to the executors); null otherwise, and the executors check.
   */
  private static TaskSettings settingsOnDriver(String modelPath) {
    Path config = Path.of(modelPath).resolve("config.json");
    if (!Files.isReadable(config)) {
      LOG.warn("jbert: {} is not readable on the driver; the executors will check the model folder", config);
      return null;
    }
    try {
      return TaskSettings.read(BertConfig.load(config));
    } catch (IOException e) {
      throw new IllegalArgumentException("jbert model path '" + modelPath + "': cannot read " + config + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("jbert model path '" + modelPath + "': " + e.getMessage(), e);
    }
  }

  /** The hand-off in use with a model whose saved settings are {@code saved}; null for none. */
  static HandOff handOff(TaskSettings saved, Double threshold, String label) {
    HandOff model = saved.handOff();
    if (threshold == null) {
      return model == null || label == null ? model : model.withLabel(label); // keeps the saved detector
    }
    String name = label != null ? label : model != null ? model.handOffLabel() : HandOff.TRANSFER_TO_AGENT;
    return new HandOff(threshold, name);
  }
}
