package dev.jbert.finetune.train;

import dev.jbert.core.Backend;
import dev.jbert.core.BertConfig;
import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.finetune.batch.BatchOrder;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.StratifiedSplit;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.labels.LabelMap;
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
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 *   <li>train ({@link Trainer}), checkpointing every epoch into {@code OUTPUT/checkpoint}, or resume
 *       from there;
 *   <li>report on the kept model ({@code metrics.json}, charts, hand-off threshold).
 * </ol>
 *
 * The output folder is a Hugging Face model folder ({@code config.json} with {@code id2label},
 * {@code model.safetensors}, the tokenizer files) that {@code fromPretrained} and Python's
 * {@code transformers} both load.
 */
public final class FineTuning {

  private static final List<String> TOKENIZER_FILES =
      List.of("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json");

  private FineTuning() {}

  /**
   * Runs a fine-tuning.
   *
   * @param modelDir a local model folder (resolve hub ids first with {@code HubResolver})
   * @param train labelled training examples
   * @param eval labelled evaluation examples; empty to hold out {@code validationSplit} of train
   * @param output the output folder (created; its checkpoint is replaced unless resuming)
   * @throws DataFileException for bad data, naming file and line
   * @throws NonFiniteLossException when a loss turns NaN or infinite
   */
  public static FineTuneResult run(Path modelDir, List<Example> train, List<Example> eval, Path output, FineTuneConfig config,
      TrainingListener listener) throws IOException {
    Backend.init();
    if (Files.exists(output) && Files.isSameFile(modelDir, output)) {
      throw new IllegalArgumentException("the output folder " + output + " is the model folder; fine-tune into another folder");
    }
    Data data = prepare(modelDir, train, eval, config);
    Files.createDirectories(output);
    copyTokenizerFiles(modelDir, output);
    CheckpointStore checkpoints = new CheckpointStore(output);
    TrainingPlan plan = TrainingPlan.of(data.trainInputs().size(), config);
    Start start = config.resume() ? resume(data, checkpoints, output, plan, config) : fresh(modelDir, data, checkpoints, output, plan, config);
    TrainerState end;
    try (BertForSequenceClassification model = start.model()) {
      if (data.labels() != null) {
        double[] weights = config.classWeights() ? ClassWeights.balanced(labelIds(data.trainInputs()), data.labels().size()) : null;
        model.setCrossEntropyOptions(weights, config.labelSmoothing());
      }
      Evaluator evaluator = new Evaluator(model, data.encoder(), data.labels(), config.batchSize());
      Supplier<Evaluation> evaluation = data.evalInputs().isEmpty() ? null : () -> evaluator.evaluateEncoded(data.evalInputs());
      end = new Trainer(model, start.optimizer(), config, plan, data.trainInputs(), batchOrder(config, data.trainInputs()),
          data.encoder().padId(), evaluation, checkpoints, start.log(), output, listener).run(start.state());
    }
    Split split = data.split();
    List<Example> reportOn = split.eval().isEmpty() ? split.train() : split.eval();
    return RunReport.write(output, reportOn, split.eval().isEmpty() ? "train" : split.name(), end, config, start.log().entries());
  }

  /**
   * The examples split and encoded, the labels, and the model configuration to train.
   *
   * @param labels the head's classes, or null for regression
   * @param target the checkpoint's config with the head's labels, problem type, dropout and task settings
   */
  private record Data(Split split, LabelMap labels, List<String> headLabels, BertConfig target, TextEncoder encoder,
      List<EncodedExample> trainInputs, List<EncodedExample> evalInputs) {}

  /** The model, optimizer, state and log a run starts from. */
  private record Start(BertForSequenceClassification model, Optimizer optimizer, TrainerState state, TrainingLog log) {}

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
    LabelMap labels = task.isRegression() ? null : LabelMap.forExamples(split.train(), ModelLoader.headLabels(source));
    List<String> headLabels = labels != null ? labels.labels() : source.numLabels() == 1 ? source.labels() : List.of("LABEL_0");
    int maxLength = maxLength(config, source, tokenizer);
    boolean contextSegment = split.train().stream().anyMatch(e -> !e.context().isEmpty());
    TaskSettings settings = new TaskSettings(task, contextSegment, maxLength, null);
    BertConfig target = settings.writeTo(withDropout(source.withLabels(headLabels).withProblemType(task.problemType()), config.dropout()));
    TextEncoder encoder = new TextEncoder(tokenizer, maxLength, contextSegment);
    return new Data(split, labels, headLabels, target, encoder, encoder.encodeAll(split.train(), labels),
        encoder.encodeAll(split.eval(), labels));
  }

  /** A new run: the checkpoint with its new head, fresh optimizer, empty log; any old checkpoint is removed. */
  private static Start fresh(Path modelDir, Data data, CheckpointStore checkpoints, Path output, TrainingPlan plan,
      FineTuneConfig config) throws IOException {
    checkpoints.clear();
    BertForSequenceClassification model = ModelLoader.forFineTuning(modelDir, data.target());
    Optimizer optimizer = new AdamW(model.parameters(), optimizerConfig(config, plan, data.target()));
    TrainerState state = TrainerState.initial(data.headLabels(), config.trajectory(), data.trainInputs().size());
    return new Start(model, optimizer, state, TrainingLog.create(output.resolve(TrainingLog.FILE_NAME)));
  }

  /** A resumed run: model, optimizer state and trainer state from the last checkpoint, the log cut back to it. */
  private static Start resume(Data data, CheckpointStore checkpoints, Path output, TrainingPlan plan, FineTuneConfig config)
      throws IOException {
    Path checkpoint = checkpoints.latest().orElseThrow(() -> new IllegalArgumentException(
        "cannot resume: " + output.resolve(CheckpointStore.DIR_NAME) + " holds no checkpoint"));
    TrainerState state = CheckpointStore.readState(checkpoint);
    state.checkResumable(data.headLabels(), config.trajectory(), data.trainInputs().size());
    BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(checkpoint, DataType.FLOAT, data.target());
    Optimizer optimizer = new AdamW(model.parameters(), optimizerConfig(config, plan, data.target()));
    optimizer.restore(checkpoint.resolve(OptimizerStateFile.FILE_NAME));
    return new Start(model, optimizer, state, TrainingLog.resume(output.resolve(TrainingLog.FILE_NAME), state.step()));
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

  private static int maxLength(FineTuneConfig config, BertConfig model, BertTokenizer tokenizer) {
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

  private static void copyTokenizerFiles(Path from, Path to) throws IOException {
    for (String name : TOKENIZER_FILES) {
      Path file = from.resolve(name);
      if (Files.isRegularFile(file)) {
        byte[] bytes = Files.readAllBytes(file);
        AtomicFiles.writeBytes(to.resolve(name), bytes);
      }
    }
  }
}
