package dev.jbert.finetune.train;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.batch.BatchOrder;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.StratifiedSplit;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.model.ModelFolderCheck;
import dev.jbert.finetune.model.ModelLoader;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.finetune.report.TrainingLog;
import dev.jbert.optim.AdamW;
import dev.jbert.optim.LrSchedule;
import dev.jbert.optim.NameFilter;
import dev.jbert.optim.Optimizer;
import dev.jbert.optim.OptimizerConfig;
import dev.jbert.optim.OptimizerStateFile;
import dev.jbert.optim.WeightAverage;
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Fine-tunes a BERT checkpoint on labelled examples, end to end:
 *
 * <ol>
 *   <li>hold out a stratified validation split when no evaluation data is given;
 *   <li>number the labels (sorted, or the checkpoint's own {@code id2label} when it maps exactly these
 *       labels) and load the checkpoint with a matching head ({@link ModelLoader});
 *   <li>encode every example first, so that bad data (an unseen label in the evaluation data) stops
 *       the run before any training, naming file and line;
 *   <li>train ({@link Trainer}) in {@code OUTPUT.partial}, checkpointing into its {@code checkpoint/}
 *       every epoch, every few minutes and on a {@link StopRequest}, or resume from there;
 *   <li>report on the kept model ({@code metrics.json}, charts, hand-off threshold);
 *   <li>replace {@code OUTPUT} by the finished folder, whole ({@link OutputFolder}).
 * </ol>
 *
 * The output folder is a Hugging Face model folder ({@code config.json} with {@code id2label},
 * {@code model.safetensors}, the tokenizer files) that {@code fromPretrained} and Python's
 * {@code transformers} both load, with the run's reports and its last checkpoint.
 */
public final class FineTuning {

  private static final List<String> TOKENIZER_FILES =
      List.of("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json");

  private FineTuning() {}

  /** Runs a fine-tuning that nothing stops early; see {@link #run(Path, List, List, Path, FineTuneConfig, TrainingListener, StopRequest)}. */
  public static FineTuneResult run(Path modelDir, List<Example> train, List<Example> eval, Path output, FineTuneConfig config,
      TrainingListener listener) throws IOException {
    return run(modelDir, train, eval, output, config, listener, new StopRequest());
  }

  /**
   * Runs a fine-tuning. It works in {@code OUTPUT.partial} and, once model and reports are written,
   * that folder replaces {@code output} whole ({@link OutputFolder}).
   *
   * @param modelDir a local model folder (resolve hub ids first with {@code HubResolver})
   * @param train labelled training examples
   * @param eval labelled evaluation examples; empty to hold out {@code validationSplit} of train
   * @param output the output folder: absent or empty, or with {@code overwrite} any earlier run's
   *     folder, or with {@code resume} the folder whose run to continue
   * @param stop asks the run to stop after its current step, with a checkpoint to resume from
   * @throws DataFileException for bad data, naming file and line
   * @throws NonFiniteLossException when a loss turns NaN or infinite
   * @throws TrainingStoppedException when {@code stop} was requested before training ended
   * @throws IllegalArgumentException for an output folder in the way, or a model folder whose files disagree
   */
  public static FineTuneResult run(Path modelDir, List<Example> train, List<Example> eval, Path output, FineTuneConfig config,
      TrainingListener listener, StopRequest stop) throws IOException {
    return run(modelDir, train, eval, output, config, listener, stop, Map.of());
  }

  /**
   * Runs a fine-tuning whose {@code metrics.json} also holds entries of the caller's, such as the
   * few-shot recipe's {@code self_training}; otherwise as {@link #run(Path, List, List, Path,
   * FineTuneConfig, TrainingListener, StopRequest)}.
   *
   * @param extraMetrics entries written after the run's own, each value as Jackson writes it
   * @throws IllegalArgumentException also for an entry named as one of the run's own
   */
  public static FineTuneResult run(Path modelDir, List<Example> train, List<Example> eval, Path output, FineTuneConfig config,
      TrainingListener listener, StopRequest stop, Map<String, ?> extraMetrics) throws IOException {
    Backend.init();
    RunReport.checkExtraEntries(extraMetrics);
    OutputFolder folder = OutputFolder.of(output);
    folder.checkStart(config, modelDir, List.of(train, eval));
    Data data = prepare(modelDir, train, eval, config);
    if (stop.isRequested()) {
      throw new TrainingStoppedException(0, null);
    }
    Path work = folder.work();
    CheckpointStore checkpoints = folder.checkpoints();
    TrainingPlan plan = TrainingPlan.of(data.trainInputs().size(), config);
    Start start;
    if (config.resume()) {
      folder.beginResume();
      start = resume(data, checkpoints, work, plan, config);
    } else {
      folder.beginFresh();
      copyTokenizerFiles(modelDir, work);
      start = fresh(modelDir, data, work, plan, config);
    }
    TrainerState end;
    try (BertForSequenceClassification model = start.model()) {
      if (data.labels() != null) {
        double[] weights = config.classWeights() ? ClassWeights.balanced(labelIds(data.trainInputs()), data.labels().size()) : null;
        model.setCrossEntropyOptions(weights, config.labelSmoothing());
        model.setRDrop(config.rDrop());
      }
      Evaluator evaluator = new Evaluator(model, data.encoder(), data.labels(), config.batchSize());
      Supplier<Evaluation> evaluation = data.evalInputs().isEmpty() ? null : () -> evaluator.evaluateEncoded(data.evalInputs());
      end = new Trainer(model, start.optimizer(), start.average(), config, plan, data.trainInputs(),
          batchOrder(config, data.trainInputs()), data.encoder().padId(), evaluation, checkpoints, start.log(), work, listener,
          stop).run(start.state());
    }
    if (!end.finished() || stop.isRequested()) {
      throw new TrainingStoppedException(end.step(), checkpoints.latest().orElse(null));
    }
    Split split = data.split();
    List<Example> reportOn = !config.finalEvaluation() ? List.of() : split.eval().isEmpty() ? split.train() : split.eval();
    String reportedSplit = !config.finalEvaluation() ? "none" : split.eval().isEmpty() ? "train" : split.name();
    FineTuneResult report = RunReport.write(work, split.train(), reportOn, reportedSplit, end, config, start.log().entries(),
        extraMetrics);
    folder.publish();
    return new FineTuneResult(folder.output(), report.evaluation(), report.evaluatedOn(), report.state(), report.handOff());
  }

  /**
   * The checks a run makes on its output folder before anything else (see {@link #run}), for callers
   * that do work of their own before the run, such as the few-shot recipe's contrastive stage.
   *
   * @throws IllegalArgumentException for an output folder in the way
   */
  public static void checkOutput(Path modelDir, List<List<Example>> data, Path output, FineTuneConfig config)
      throws IOException {
    OutputFolder.of(output).checkStart(config, modelDir, data);
  }

  /**
   * The examples split and encoded, the labels, and the model configuration to train.
   *
   * @param labels the head's classes, or null for regression
   * @param target the checkpoint's config with the head's labels, problem type, dropout and task settings
   */
  private record Data(Split split, LabelMap labels, List<String> headLabels, BertConfig target, TextEncoder encoder,
      List<EncodedExample> trainInputs, List<EncodedExample> evalInputs) {}

  /** The model, optimizer, weight average (null when off), state and log a run starts from. */
  private record Start(BertForSequenceClassification model, Optimizer optimizer, WeightAverage average, TrainerState state,
      TrainingLog log) {}

  /**
   * Splits, numbers the labels and encodes every example, so that bad data (an unseen label in the
   * evaluation data) stops the run before anything is written.
   */
  private static Data prepare(Path modelDir, List<Example> train, List<Example> eval, FineTuneConfig config) throws IOException {
    Task task = config.task();
    checkTargets(task, train);
    checkTargets(task, eval);
    Split split = split(train, eval, config);
    BertConfig source = BertConfig.load(modelDir.resolve("config.json"));
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(modelDir);
    ModelFolderCheck.check(modelDir, source, tokenizer);
    LabelMap labels = task.isRegression() ? null : LabelMap.forExamples(split.train(), ModelLoader.headLabels(source));
    List<String> headLabels = labels != null ? labels.labels() : source.numLabels() == 1 ? source.labels() : List.of("LABEL_0");
    int maxLength = maxLength(config, source, tokenizer);
    boolean contextSegment = split.train().stream().anyMatch(e -> !e.context().isEmpty());
    TaskSettings settings = new TaskSettings(task, contextSegment, maxLength, null, config.columns());
    BertConfig head = source.withLabels(headLabels).withProblemType(task.problemType());
    if (config.classifierPooling() != null) {
      head = head.withClassifierPooling(config.classifierPooling());
    }
    BertConfig target = settings.writeTo(withDropout(head, config.dropout()));
    TextEncoder encoder = new TextEncoder(tokenizer, maxLength, contextSegment);
    return new Data(split, labels, headLabels, target, encoder, encoder.encodeAll(split.train(), labels),
        encoder.encodeAll(split.eval(), labels));
  }

  /** A new run: the checkpoint with its new head, fresh optimizer, empty log. */
  private static Start fresh(Path modelDir, Data data, Path work, TrainingPlan plan, FineTuneConfig config) throws IOException {
    BertForSequenceClassification model = ModelLoader.forFineTuning(modelDir, data.target());
    Optimizer optimizer = new AdamW(model.parameters(), optimizerConfig(config, plan, data.target()));
    TrainerState state = TrainerState.initial(data.headLabels(), config.trajectory(), data.trainInputs().size());
    return new Start(model, optimizer, weightAverage(model, config), state, TrainingLog.create(work.resolve(TrainingLog.FILE_NAME)));
  }

  /** A resumed run: model, optimizer state and trainer state from the last checkpoint, the log cut back to it. */
  private static Start resume(Data data, CheckpointStore checkpoints, Path work, TrainingPlan plan, FineTuneConfig config)
      throws IOException {
    Path checkpoint = checkpoints.latest().orElseThrow(() -> new IllegalArgumentException(
        "cannot resume: " + work.resolve(CheckpointStore.DIR_NAME) + " holds no checkpoint"));
    TrainerState state = CheckpointStore.readState(checkpoint);
    state.checkResumable(data.headLabels(), config.trajectory(), data.trainInputs().size());
    BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(checkpoint, DataType.FLOAT, data.target());
    Optimizer optimizer = new AdamW(model.parameters(), optimizerConfig(config, plan, data.target()));
    optimizer.restore(checkpoint.resolve(OptimizerStateFile.FILE_NAME));
    WeightAverage average = weightAverage(model, config);
    if (average != null) {
      average.load(checkpoint.resolve(WeightAverage.FILE_NAME));
    }
    return new Start(model, optimizer, average, state, TrainingLog.resume(work.resolve(TrainingLog.FILE_NAME), state.step()));
  }

  /** The exponential moving average of the weights the config asks for, from the model's current weights; null when off. */
  private static WeightAverage weightAverage(BertForSequenceClassification model, FineTuneConfig config) {
    return config.emaDecay() > 0 ? new WeightAverage(model.parameters(), config.emaDecay()) : null;
  }

  /** Training and evaluation examples, and what the evaluation part is called in reports. */
  private record Split(List<Example> train, List<Example> eval, String name) {}

  private static Split split(List<Example> train, List<Example> eval, FineTuneConfig config) {
    if (train.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    if (!eval.isEmpty()) {
      return new Split(train, eval, "eval");
    }
    if (config.validationSplit() == 0) {
      return new Split(train, List.of(), "none");
    }
    StratifiedSplit.Parts parts = StratifiedSplit.split(train, config.validationSplit(), config.seed());
    if (parts.validation().isEmpty()) {
      throw new IllegalArgumentException("a validation split of " + config.validationSplit() + " holds out no example of "
          + train.size() + "; give an evaluation file, a larger split, or split 0 to train on every row");
    }
    return new Split(parts.train(), parts.validation(), "validation");
  }

  /** Every example has the target its task needs (a pair for the pair task); labels and scores are checked when encoding. */
  private static void checkTargets(Task task, List<Example> examples) {
    if (task != Task.PAIR) {
      return;
    }
    for (Example e : examples) {
      if (!e.hasPair()) {
        throw new DataFileException(e.source(), e.line(), "the pair task needs a candidate reply (pair column) in every row");
      }
    }
  }

  /**
   * The token limit a run of {@code config} uses with this model: {@code config.maxLength()}, or when 0
   * the default ({@link TextEncoder#defaultMaxLength}); one beyond the model's positions is refused.
   */
  public static int maxLength(FineTuneConfig config, BertConfig model, BertTokenizer tokenizer) {
    if (config.maxLength() == 0) {
      return TextEncoder.defaultMaxLength(model, tokenizer);
    }
    if (config.maxLength() > model.maxPositionEmbeddings()) {
      throw new IllegalArgumentException("max length " + config.maxLength() + " exceeds the model's "
          + model.maxPositionEmbeddings() + " positions (max_position_embeddings)");
    }
    return config.maxLength();
  }

  private static BertConfig withDropout(BertConfig config, Double dropout) {
    if (dropout == null) {
      return config;
    }
    return config.toBuilder().hiddenDropoutProb(dropout).attentionProbsDropoutProb(dropout).classifierDropout(dropout).build();
  }

  private static OptimizerConfig optimizerConfig(FineTuneConfig config, TrainingPlan plan, BertConfig model) {
    if (config.freezeLayers() > model.numHiddenLayers()) {
      throw new IllegalArgumentException("cannot freeze " + config.freezeLayers() + " layers: the model has "
          + model.numHiddenLayers());
    }
    NameFilter freeze = NameFilter.none();
    if (config.freezeLayers() > 0) {
      freeze = NameFilter.embeddingsAndLowerLayers(config.freezeLayers());
    } else if (config.freezeEmbeddings()) {
      freeze = NameFilter.prefixes("bert.embeddings.");
    }
    return OptimizerConfig.builder()
        .lr(config.lr())
        .weightDecay(config.weightDecay())
        .maxGradNorm(config.maxGradNorm())
        .schedule(LrSchedule.linearWithWarmup(plan.warmupSteps(), plan.totalSteps()))
        .freeze(freeze)
        .layerwiseLrDecay(config.layerLrDecay())
        .build();
  }

  /** Length-bucketed shuffled batches, or with {@code shuffle} off file order: batch k is examples kB … kB+B−1. */
  static BatchOrder batchOrder(FineTuneConfig config, List<EncodedExample> examples) {
    return config.shuffle()
        ? BatchOrder.bucketed(BatchOrder.lengths(examples), config.batchSize(), config.seed())
        : BatchOrder.fileOrder(examples.size(), config.batchSize());
  }

  private static int[] labelIds(List<EncodedExample> examples) {
    return examples.stream().mapToInt(EncodedExample::labelId).toArray();
  }

  /** Copies the tokenizer files of a model folder ({@code tokenizer.json}, {@code vocab.txt}, ...) that exist into {@code to}. */
  public static void copyTokenizerFiles(Path from, Path to) throws IOException {
    for (String name : TOKENIZER_FILES) {
      Path file = from.resolve(name);
      if (Files.isRegularFile(file)) {
        byte[] bytes = Files.readAllBytes(file);
        AtomicFiles.writeBytes(to.resolve(name), bytes);
      }
    }
  }
}
