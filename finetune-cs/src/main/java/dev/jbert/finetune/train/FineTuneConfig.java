package dev.jbert.finetune.train;

import dev.jbert.core.config.BertConfig;

import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.finetune.ood.ConfidenceConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything that shapes a fine-tuning run. Defaults are BERT's fine-tuning recipe as Hugging Face's
 * {@code Trainer} runs it: lr 5e-5, batch 32, 3 epochs, linear schedule with warm-up over 10% of the
 * steps, weight decay 0.01 (not on biases and LayerNorm), gradient clipping at norm 1.0, seed 42.
 *
 * @param task intent, pair or regression
 * @param epochs passes over the training data (ignored when {@code maxSteps} is set)
 * @param maxSteps stop after this many optimizer steps, and size the schedule for them; 0 = off
 * @param lr peak learning rate
 * @param batchSize examples per micro-batch
 * @param maxLength token limit, special tokens included; 0 = 128, or less if the model allows less
 * @param warmupRatio share of all steps spent warming up (used when {@code warmupSteps} is negative)
 * @param warmupSteps warm-up steps; negative = use {@code warmupRatio}
 * @param weightDecay AdamW decoupled decay of weights (biases and LayerNorm exempt)
 * @param maxGradNorm global-norm clipping threshold
 * @param dropout hidden, attention and classifier dropout; null keeps the model's
 * @param classifierPooling what the classification head reads ({@link BertConfig#CLASSIFIER_POOLINGS}:
 *     pooler, mean, normalized_mean); null keeps the model's ({@code pooler} for a Hugging Face checkpoint)
 * @param shuffle length-bucketed shuffled batches (true) or file order (false)
 * @param seed batch order, validation split and dropout masks
 * @param freezeEmbeddings keep the embeddings fixed
 * @param freezeLayers keep the embeddings and encoder layers {@code 0..n-1} fixed; 0 = none
 * @param layerLrDecay layer-wise learning-rate decay factor; 1 = off
 * @param classWeights weight classes by inverse frequency (scikit-learn's "balanced")
 * @param labelSmoothing cross-entropy label smoothing in [0, 1)
 * @param rDrop weight α of R-Drop's consistency term (each batch runs twice under different dropout
 *     masks and the symmetric KL between the two predictions joins the cross-entropy; a step costs
 *     twice the compute); 0 = off
 * @param emaDecay keep an exponential moving average of the weights with this decay ({@code
 *     WeightAverage}) and evaluate, keep and save the averaged model; 0 = off
 * @param gradAccum micro-batches per optimizer step
 * @param earlyStoppingPatience stop after this many evaluations without improvement; 0 = off
 * @param validationSplit share of the training data held out (stratified) when no evaluation data
 *     is given; 0 = train on every row and keep the last epoch
 * @param metric the evaluation metric that picks the best epoch ({@link Evaluation#summary()} names;
 *     a tie goes to the lower evaluation loss); null = {@code accuracy}, or {@code mse} for regression
 * @param loggingSteps optimizer steps between training-log entries
 * @param saveSteps optimizer steps between extra checkpoints inside an epoch; 0 = none by step count
 * @param saveInterval a checkpoint after the first step that ends this long after the previous one
 *     (besides epoch ends and {@code saveSteps}), so that a crash loses minutes, not an epoch;
 *     {@link Duration#ZERO} = off; default 5 minutes
 * @param handOffPrecision pick the hand-off threshold on the validation data for this precision of
 *     automatic answers; null = no threshold
 * @param handOffLabel the answer below the threshold
 * @param outOfScopeLabel the class of out-of-scope messages (CLINC150's {@code oos}), to report
 *     out-of-scope recall; null = none
 * @param finalEvaluation after training, score the kept model on the evaluation data (with none,
 *     on every training row: minutes on a large set) for {@code metrics.json}, the confusion matrix
 *     and the hand-off threshold; false skips it
 * @param resume continue from the checkpoint of the run into the output folder
 * @param overwrite replace an output folder that already holds files (as Hugging Face's {@code
 *     overwrite_output_dir}); the old folder stays whole until the new model is complete
 * @param columns the columns the training data was read from, saved with the model so that
 *     evaluation and prediction read the same ones; {@link TaskSettings.Columns#UNKNOWN} = not saved
 * @param confidence calibration and out-of-scope detection after training (classification only);
 *     default: a temperature fitted on the held-out split, no detector
 */
public record FineTuneConfig(
    Task task,
    int epochs,
    long maxSteps,
    double lr,
    int batchSize,
    int maxLength,
    double warmupRatio,
    long warmupSteps,
    double weightDecay,
    double maxGradNorm,
    Double dropout,
    String classifierPooling,
    boolean shuffle,
    long seed,
    boolean freezeEmbeddings,
    int freezeLayers,
    double layerLrDecay,
    boolean classWeights,
    double labelSmoothing,
    double rDrop,
    double emaDecay,
    int gradAccum,
    int earlyStoppingPatience,
    double validationSplit,
    String metric,
    int loggingSteps,
    int saveSteps,
    Duration saveInterval,
    Double handOffPrecision,
    String handOffLabel,
    String outOfScopeLabel,
    boolean finalEvaluation,
    boolean resume,
    boolean overwrite,
    TaskSettings.Columns columns,
    ConfidenceConfig confidence) {

  /** Default {@link #saveInterval()}: a crash or a kill loses at most about this much training. */
  public static final Duration DEFAULT_SAVE_INTERVAL = Duration.ofMinutes(5);

  /** Checks every range, naming the setting. */
  public FineTuneConfig {
    columns = columns == null ? TaskSettings.Columns.UNKNOWN : columns;
    confidence = confidence == null ? ConfidenceConfig.DEFAULT : confidence;
    if (task == null) {
      throw new IllegalArgumentException("task must be set");
    }
    require(epochs >= 1, "epochs must be >= 1, got " + epochs);
    require(maxSteps >= 0, "max steps must be >= 0 (0 = off), got " + maxSteps);
    require(lr >= 0 && Double.isFinite(lr), "learning rate must be >= 0, got " + lr);
    require(batchSize >= 1, "batch size must be >= 1, got " + batchSize);
    require(maxLength == 0 || maxLength >= 4, "max length must be >= 4 (0 = the default), got " + maxLength);
    require(warmupRatio >= 0 && warmupRatio <= 1, "warmup ratio must be in [0, 1], got " + warmupRatio);
    require(weightDecay >= 0 && Double.isFinite(weightDecay), "weight decay must be >= 0, got " + weightDecay);
    require(maxGradNorm > 0, "max grad norm must be > 0, got " + maxGradNorm);
    require(dropout == null || (dropout >= 0 && dropout < 1), "dropout must be in [0, 1), got " + dropout);
    require(classifierPooling == null || BertConfig.CLASSIFIER_POOLINGS.contains(classifierPooling),
        "classifier pooling '" + classifierPooling + "' is not one of " + String.join(", ", BertConfig.CLASSIFIER_POOLINGS));
    require(freezeLayers >= 0, "frozen layers must be >= 0, got " + freezeLayers);
    require(layerLrDecay > 0 && layerLrDecay <= 1, "layer lr decay must be in (0, 1], got " + layerLrDecay);
    require(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got " + labelSmoothing);
    require(rDrop >= 0 && Double.isFinite(rDrop), "R-Drop weight must be >= 0 (0 = off), got " + rDrop);
    require(emaDecay == 0 || (emaDecay > 0 && emaDecay < 1), "EMA decay must be in (0, 1) (0 = off), got " + emaDecay);
    require(gradAccum >= 1, "gradient accumulation must be >= 1, got " + gradAccum);
    require(earlyStoppingPatience >= 0, "early-stopping patience must be >= 0 (0 = off), got " + earlyStoppingPatience);
    require(validationSplit >= 0 && validationSplit < 1, "validation split must be in [0, 1), got " + validationSplit);
    require(loggingSteps >= 1, "logging steps must be >= 1, got " + loggingSteps);
    require(saveSteps >= 0, "save steps must be >= 0 (0 = off), got " + saveSteps);
    require(saveInterval != null && !saveInterval.isNegative(), "save interval must be >= 0 (0 = off), got " + saveInterval);
    require(handOffPrecision == null || (handOffPrecision > 0 && handOffPrecision <= 1),
        "hand-off target precision must be in (0, 1], got " + handOffPrecision);
    require(handOffLabel != null && !handOffLabel.isBlank(), "hand-off label must not be blank");
    require(!(resume && overwrite), "resume continues the run in the output folder, overwrite starts a new one: pick one");
    require(finalEvaluation || (handOffPrecision == null && outOfScopeLabel == null),
        "the hand-off threshold and out-of-scope metrics come from the final evaluation; do not skip it");
    require(!(task.isRegression() && (classWeights || labelSmoothing > 0 || rDrop > 0 || handOffPrecision != null || outOfScopeLabel != null)),
        "class weights, label smoothing, R-Drop, hand-off and out-of-scope settings need a classification task, not regression");
    require(!(confidence.fitsDetector() && (handOffPrecision != null || task.isRegression() || !finalEvaluation)),
        "an out-of-scope detector needs a classification task and the final evaluation, and picks the hand-off threshold"
            + " itself (for an in-scope recall): do not combine it with a hand-off precision");
    if (metric == null) {
      metric = task.isRegression() ? Evaluation.MSE : Evaluation.ACCURACY;
    }
    List<String> known = task.isRegression()
        ? List.of(Evaluation.LOSS, Evaluation.MSE, Evaluation.MAE, Evaluation.PEARSON, Evaluation.SPEARMAN)
        : List.of(Evaluation.LOSS, Evaluation.ACCURACY, Evaluation.MACRO_F1);
    require(known.contains(metric), "metric '" + metric + "' is not one of " + known + " for task " + task.id());
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Starts from the defaults above for {@code task}. */
  public static Builder builder(Task task) {
    return new Builder(task);
  }

  /** A builder holding these values. */
  public Builder toBuilder() {
    Builder b = new Builder(task);
    b.epochs = epochs;
    b.maxSteps = maxSteps;
    b.lr = lr;
    b.batchSize = batchSize;
    b.maxLength = maxLength;
    b.warmupRatio = warmupRatio;
    b.warmupSteps = warmupSteps;
    b.weightDecay = weightDecay;
    b.maxGradNorm = maxGradNorm;
    b.dropout = dropout;
    b.classifierPooling = classifierPooling;
    b.shuffle = shuffle;
    b.seed = seed;
    b.freezeEmbeddings = freezeEmbeddings;
    b.freezeLayers = freezeLayers;
    b.layerLrDecay = layerLrDecay;
    b.classWeights = classWeights;
    b.labelSmoothing = labelSmoothing;
    b.rDrop = rDrop;
    b.emaDecay = emaDecay;
    b.gradAccum = gradAccum;
    b.earlyStoppingPatience = earlyStoppingPatience;
    b.validationSplit = validationSplit;
    b.metric = metric;
    b.loggingSteps = loggingSteps;
    b.saveSteps = saveSteps;
    b.saveInterval = saveInterval;
    b.handOffPrecision = handOffPrecision;
    b.handOffLabel = handOffLabel;
    b.outOfScopeLabel = outOfScopeLabel;
    b.finalEvaluation = finalEvaluation;
    b.resume = resume;
    b.overwrite = overwrite;
    b.columns = columns;
    b.confidence = confidence;
    return b;
  }

  /**
   * The settings a resumed run must share with the run that wrote the checkpoint (everything that
   * changes which batches are seen or how parameters move), as text; saved in the trainer state.
   */
  public Map<String, String> trajectory() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("task", task.id());
    m.put("epochs", Integer.toString(epochs));
    m.put("max_steps", Long.toString(maxSteps));
    m.put("lr", Double.toString(lr));
    m.put("batch_size", Integer.toString(batchSize));
    m.put("max_length", Integer.toString(maxLength));
    m.put("warmup", warmupSteps >= 0 ? "steps=" + warmupSteps : "ratio=" + warmupRatio);
    m.put("weight_decay", Double.toString(weightDecay));
    m.put("max_grad_norm", Double.toString(maxGradNorm));
    m.put("dropout", String.valueOf(dropout));
    if (classifierPooling != null) { // absent when unset, so checkpoints written before the setting still resume
      m.put("classifier_pooling", classifierPooling);
    }
    m.put("shuffle", Boolean.toString(shuffle));
    m.put("seed", Long.toString(seed));
    m.put("freeze_embeddings", Boolean.toString(freezeEmbeddings));
    m.put("freeze_layers", Integer.toString(freezeLayers));
    m.put("layer_lr_decay", Double.toString(layerLrDecay));
    m.put("class_weights", Boolean.toString(classWeights));
    m.put("label_smoothing", Double.toString(labelSmoothing));
    if (rDrop > 0) { // absent when off, so checkpoints written before the setting still resume
      m.put("r_drop", Double.toString(rDrop));
    }
    if (emaDecay > 0) { // absent when off, so checkpoints written before the setting still resume
      m.put("ema_decay", Double.toString(emaDecay));
    }
    m.put("grad_accum", Integer.toString(gradAccum));
    m.put("early_stopping", Integer.toString(earlyStoppingPatience));
    m.put("validation_split", Double.toString(validationSplit));
    m.put("metric", metric);
    return m;
  }

  /** Fluent construction with the defaults; each setter sets the component of that name; {@link #build()} validates. */
  public static final class Builder {
    private final Task task;
    private int epochs = 3;
    private long maxSteps = 0;
    private double lr = 5e-5;
    private int batchSize = 32;
    private int maxLength = 0;
    private double warmupRatio = 0.1;
    private long warmupSteps = -1;
    private double weightDecay = 0.01;
    private double maxGradNorm = 1.0;
    private Double dropout;
    private String classifierPooling;
    private boolean shuffle = true;
    private long seed = 42;
    private boolean freezeEmbeddings;
    private int freezeLayers;
    private double layerLrDecay = 1.0;
    private boolean classWeights;
    private double labelSmoothing;
    private double rDrop;
    private double emaDecay;
    private int gradAccum = 1;
    private int earlyStoppingPatience;
    private double validationSplit = 0.1;
    private String metric;
    private int loggingSteps = 20;
    private int saveSteps;
    private Duration saveInterval = DEFAULT_SAVE_INTERVAL;
    private Double handOffPrecision;
    private String handOffLabel = HandOff.TRANSFER_TO_AGENT;
    private String outOfScopeLabel;
    private boolean finalEvaluation = true;
    private boolean resume;
    private boolean overwrite;
    private TaskSettings.Columns columns = TaskSettings.Columns.UNKNOWN;
    private ConfidenceConfig confidence = ConfidenceConfig.DEFAULT;

    private Builder(Task task) {
      this.task = task;
    }

    public Builder epochs(int v) {
      epochs = v;
      return this;
    }

    public Builder maxSteps(long v) {
      maxSteps = v;
      return this;
    }

    public Builder lr(double v) {
      lr = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder maxLength(int v) {
      maxLength = v;
      return this;
    }

    public Builder warmupRatio(double v) {
      warmupRatio = v;
      return this;
    }

    /** Warm-up in steps, overriding the ratio; negative returns to the ratio. */
    public Builder warmupSteps(long v) {
      warmupSteps = v;
      return this;
    }

    public Builder weightDecay(double v) {
      weightDecay = v;
      return this;
    }

    public Builder maxGradNorm(double v) {
      maxGradNorm = v;
      return this;
    }

    /** Hidden, attention and classifier dropout; null keeps the model's. */
    public Builder dropout(Double v) {
      dropout = v;
      return this;
    }

    public Builder shuffle(boolean v) {
      shuffle = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder freezeEmbeddings(boolean v) {
      freezeEmbeddings = v;
      return this;
    }

    public Builder freezeLayers(int v) {
      freezeLayers = v;
      return this;
    }

    public Builder layerLrDecay(double v) {
      layerLrDecay = v;
      return this;
    }

    /** What the classification head reads: pooler, mean or normalized_mean; null keeps the model's. */
    public Builder classifierPooling(String v) {
      classifierPooling = v;
      return this;
    }

    public Builder classWeights(boolean v) {
      classWeights = v;
      return this;
    }

    public Builder labelSmoothing(double v) {
      labelSmoothing = v;
      return this;
    }

    /** R-Drop's weight α (each batch twice, the symmetric KL between the two predictions added); 0 = off. */
    public Builder rDrop(double v) {
      rDrop = v;
      return this;
    }

    /** Exponential moving average of the weights with this decay (e.g. 0.999); 0 = off. */
    public Builder emaDecay(double v) {
      emaDecay = v;
      return this;
    }

    public Builder gradAccum(int v) {
      gradAccum = v;
      return this;
    }

    public Builder earlyStoppingPatience(int v) {
      earlyStoppingPatience = v;
      return this;
    }

    public Builder validationSplit(double v) {
      validationSplit = v;
      return this;
    }

    /** The metric that picks the best epoch; null for the task's default. */
    public Builder metric(String v) {
      metric = v;
      return this;
    }

    public Builder loggingSteps(int v) {
      loggingSteps = v;
      return this;
    }

    public Builder saveSteps(int v) {
      saveSteps = v;
      return this;
    }

    /** Time between checkpoints besides epoch ends; {@link Duration#ZERO} = off. */
    public Builder saveInterval(Duration v) {
      saveInterval = v;
      return this;
    }

    public Builder handOffPrecision(Double v) {
      handOffPrecision = v;
      return this;
    }

    public Builder handOffLabel(String v) {
      handOffLabel = v;
      return this;
    }

    public Builder outOfScopeLabel(String v) {
      outOfScopeLabel = v;
      return this;
    }

    /** False skips scoring the kept model after training (no metrics of it, no confusion matrix, no hand-off). */
    public Builder finalEvaluation(boolean v) {
      finalEvaluation = v;
      return this;
    }

    public Builder resume(boolean v) {
      resume = v;
      return this;
    }

    /** Replace an output folder that already holds files, once the new model is complete. */
    public Builder overwrite(boolean v) {
      overwrite = v;
      return this;
    }

    /**
     * The read options the training data came from: their column names are saved with the model,
     * so that {@code jbert eval} and {@code jbert predict} read the same columns without being told.
     */
    public Builder columns(ReadOptions v) {
      columns = TaskSettings.Columns.of(v);
      return this;
    }

    /** Calibration and out-of-scope detection after training. */
    public Builder confidence(ConfidenceConfig v) {
      confidence = v;
      return this;
    }

    /** Validates and returns the configuration. */
    public FineTuneConfig build() {
      return new FineTuneConfig(task, epochs, maxSteps, lr, batchSize, maxLength, warmupRatio, warmupSteps, weightDecay,
          maxGradNorm, dropout, classifierPooling, shuffle, seed, freezeEmbeddings, freezeLayers, layerLrDecay, classWeights, labelSmoothing,
          rDrop, emaDecay, gradAccum, earlyStoppingPatience, validationSplit, metric, loggingSteps, saveSteps, saveInterval, handOffPrecision,
          handOffLabel, outOfScopeLabel, finalEvaluation, resume, overwrite, columns, confidence);
    }
  }
}
