package dev.jbert.spark;

import java.util.Arrays;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * What {@link JbertClassifier} and {@link JbertEmbedder} share: the model folder, the text column,
 * the batch size, the length limit and how running tasks share a model.
 *
 * <p>The model is read from {@link #modelPath} by each executor JVM, once per copy (see {@link
 * ModelSharing}); only the path and the params travel with a task. Inside a partition rows are read
 * {@link #batchSize} at a time, run sorted by length, and come out in their original order with the
 * new columns appended. A row whose text is null, empty or only whitespace gets nulls in the new
 * columns.
 *
 * @param <T> the concrete transformer, for chained setters
 */
public abstract class JbertTransformer<T extends JbertTransformer<T>> extends Transformer implements DefaultParamsWritable {

  private static final long serialVersionUID = 1L;

  /** Rows per forward pass unless set. */
  public static final int DEFAULT_BATCH_SIZE = 32;

  /** Spark ML's identifier of this stage. */
  private final String uid;
  /** See {@link #modelPath()}. */
  private final Param<String> modelPath;
  /** See {@link #inputCol()}. */
  private final Param<String> inputCol;
  /** See {@link #batchSize()}. */
  private final IntParam batchSize;
  /** See {@link #maxLength()}. */
  private final IntParam maxLength;
  /** See {@link #modelSharing()}. */
  private final Param<String> modelSharing;

  /** Declares the shared params and their defaults. */
  protected JbertTransformer(String uid) {
    this.uid = uid;
    modelPath = new Param<>(this, "modelPath", "the model folder, readable at this path on the driver and every executor");
    inputCol = new Param<>(this, "inputCol", "the column of texts to read (string)");
    batchSize = new IntParam(this, "batchSize", "rows per forward pass (>= 1)", ParamValidators.gtEq(1));
    maxLength = new IntParam(this, "maxLength",
        "tokens kept per input, special tokens included; unset: the model's own limit", ParamValidators.gtEq(2));
    modelSharing = new Param<>(this, "modelSharing", "per-task: each running task borrows its own copy of the model"
        + " (use with JBERT_THREADS=1 on executors); per-executor: one copy per executor JVM, tasks take turns",
        ParamValidators.inArray(Arrays.stream(ModelSharing.values()).map(ModelSharing::id).toArray(String[]::new)));
    setDefault(inputCol, "text");
    setDefault(batchSize, DEFAULT_BATCH_SIZE);
    setDefault(modelSharing, ModelSharing.DEFAULT.id());
  }

  @SuppressWarnings("unchecked")
  private T self() {
    return (T) this;
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The model folder (a local path that every executor can read). */
  public Param<String> modelPath() {
    return modelPath;
  }

  /** The column of texts; default {@code text}. */
  public Param<String> inputCol() {
    return inputCol;
  }

  /** Rows per forward pass; default {@value #DEFAULT_BATCH_SIZE}. */
  public IntParam batchSize() {
    return batchSize;
  }

  /** Tokens kept per input, special tokens included; unset: the model's own limit. */
  public IntParam maxLength() {
    return maxLength;
  }

  /** {@code per-task} or {@code per-executor} (see {@link ModelSharing}); default {@code per-task}. */
  public Param<String> modelSharing() {
    return modelSharing;
  }

  /** The value of {@link #modelPath()}. */
  public String getModelPath() {
    return $(modelPath);
  }

  /** The value of {@link #inputCol()}. */
  public String getInputCol() {
    return $(inputCol);
  }

  /** The value of {@link #batchSize()}. */
  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  /** The length limit, or null when unset. */
  public Integer getMaxLength() {
    return isDefined(maxLength) ? (Integer) $(maxLength) : null;
  }

  /** The value of {@link #modelSharing()}. */
  public ModelSharing getModelSharing() {
    return ModelSharing.of($(modelSharing));
  }

  /** Sets {@link #modelPath()}. */
  public T setModelPath(String value) {
    set(modelPath, value);
    return self();
  }

  /** Sets {@link #inputCol()}. */
  public T setInputCol(String value) {
    set(inputCol, value);
    return self();
  }

  /** Sets {@link #batchSize()}. */
  public T setBatchSize(int value) {
    set(batchSize, value);
    return self();
  }

  /** Sets {@link #maxLength()}. */
  public T setMaxLength(int value) {
    set(maxLength, value);
    return self();
  }

  /** Sets {@link #modelSharing()}. */
  public T setModelSharing(ModelSharing value) {
    set(modelSharing, value.id());
    return self();
  }

  /** The model path, failing with the param's name when it was never set. */
  protected String requireModelPath() {
    if (!isDefined(modelPath)) {
      throw new IllegalArgumentException(getClass().getSimpleName() + " " + uid + ": set modelPath to a model folder");
    }
    return $(modelPath);
  }

  @Override
  public T copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Fails naming the column when {@code name} is missing from {@code schema} or is not a string column. */
  protected static int requireStringColumn(StructType schema, String param, String name) {
    return requireColumn(schema, param, name, DataTypes.StringType.equals(typeOf(schema, param, name)), "string");
  }

  /** Fails naming the column when {@code name} is missing from {@code schema} or is not an array of strings. */
  protected static int requireStringArrayColumn(StructType schema, String param, String name) {
    boolean fits = typeOf(schema, param, name) instanceof ArrayType a && DataTypes.StringType.equals(a.elementType());
    return requireColumn(schema, param, name, fits, "array<string>");
  }

  private static DataType typeOf(StructType schema, String param, String name) {
    if (!Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException(param + " '" + name + "' is not a column of the input; it has "
          + String.join(", ", schema.fieldNames()));
    }
    return schema.apply(name).dataType();
  }

  private static int requireColumn(StructType schema, String param, String name, boolean fits, String expected) {
    if (!fits) {
      throw new IllegalArgumentException(param + " '" + name + "' must be of type " + expected + ", but is "
          + schema.apply(name).dataType().simpleString());
    }
    return schema.fieldIndex(name);
  }

  /** {@code schema} with {@code field} appended; fails naming the param when the column exists. */
  protected static StructType append(StructType schema, String param, StructField field) {
    if (Arrays.asList(schema.fieldNames()).contains(field.name())) {
      throw new IllegalArgumentException(param + " '" + field.name() + "' is already a column of the input;"
          + " choose another output column name");
    }
    return schema.add(field);
  }
}
