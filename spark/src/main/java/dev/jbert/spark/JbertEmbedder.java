package dev.jbert.spark;

import dev.jbert.finetune.embed.Pooling;
import java.util.Arrays;
import org.apache.spark.ml.param.BooleanParam;
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

/**
 * Sentence embeddings of a text column from any BERT model folder: a spark.ml {@code Transformer}
 * that appends an {@code array<float>} column with what {@code SentenceEmbedder} (and {@code jbert
 * embed}) gives for each text.
 *
 * <pre>{@code
 * Dataset<Row> embedded = new JbertEmbedder()
 *     .setModelPath("/models/all-MiniLM-L6-v2")
 *     .setInputCol("article")
 *     .transform(knowledgeBase);               // + embedding: array<float>
 * }</pre>
 *
 * <p>{@link #pooling} and {@link #normalize} default to the folder's sentence-transformers settings
 * ({@code 1_Pooling/config.json}, {@code modules.json}), else mean pooling, not normalised; {@link
 * #maxLength} to 512 tokens or the model's limit. Rows with a null, empty or blank text get a null
 * embedding. For spark.ml's vector columns, wrap the output in {@code
 * org.apache.spark.ml.functions.array_to_vector}.
 */
public final class JbertEmbedder extends JbertTransformer<JbertEmbedder> {

  private static final long serialVersionUID = 1L;

  /** See {@link #outputCol()}. */
  private final Param<String> outputCol;
  /** See {@link #pooling()}. */
  private final Param<String> pooling;
  /** See {@link #normalize()}. */
  private final BooleanParam normalize;

  /** An embedding stage with a random uid and the default params. */
  public JbertEmbedder() {
    this(Identifiable.randomUID("jbertEmbedder"));
  }

  /** An embedding stage with this uid (as Spark ML's readers make it) and the default params. */
  public JbertEmbedder(String uid) {
    super(uid);
    outputCol = new Param<>(this, "outputCol", "output: the embedding (array<float>)");
    pooling = new Param<>(this, "pooling", "cls, mean or max; unset: the folder's sentence-transformers pooling, else mean",
        ParamValidators.inArray(Arrays.stream(Pooling.values()).map(Pooling::id).toArray(String[]::new)));
    normalize = new BooleanParam(this, "normalize", "scale each embedding to unit length; unset: as the folder says, else false");
    setDefault(outputCol, "embedding");
  }

  /** Reads an embedder saved with {@code write().save(path)}. */
  public static MLReader<JbertEmbedder> read() {
    return new DefaultParamsReader<>();
  }

  /** The embedder saved at {@code path}. */
  public static JbertEmbedder load(String path) {
    return read().load(path);
  }

  /** Output: the embedding ({@code array<float>}). */
  public Param<String> outputCol() {
    return outputCol;
  }

  /** {@code cls}, {@code mean} or {@code max}; unset: the folder's sentence-transformers pooling, else mean. */
  public Param<String> pooling() {
    return pooling;
  }

  /** Scale each embedding to unit length; unset: as the folder says, else false. */
  public BooleanParam normalize() {
    return normalize;
  }

  /** Sets {@link #outputCol()}. */
  public JbertEmbedder setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  /** Sets {@link #pooling()}. */
  public JbertEmbedder setPooling(Pooling value) {
    set(pooling, value.id());
    return this;
  }

  /** Sets {@link #normalize()}. */
  public JbertEmbedder setNormalize(boolean value) {
    set(normalize, value);
    return this;
  }

  /** The pooling, or null for the folder's. */
  public Pooling getPooling() {
    return isDefined(pooling) ? Pooling.of($(pooling)) : null;
  }

  /** Whether to normalise, or null for the folder's setting. */
  public Boolean getNormalize() {
    return isDefined(normalize) ? (Boolean) $(normalize) : null;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    requireModelPath();
    requireStringColumn(schema, "inputCol", getInputCol());
    return append(schema, "outputCol", DataTypes.createStructField($(outputCol),
        DataTypes.createArrayType(DataTypes.FloatType, false), true));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    StructType out = transformSchema(schema);
    EmbedPartition.Spec spec = new EmbedPartition.Spec(requireModelPath(), new EmbedPartition.LoadSettings(
        getPooling(), getNormalize(), getMaxLength(), getBatchSize()), getModelSharing(), schema.fieldIndex(getInputCol()));
    return dataset.toDF().mapPartitions(new EmbedPartition(spec), Encoders.row(out));
  }
}
