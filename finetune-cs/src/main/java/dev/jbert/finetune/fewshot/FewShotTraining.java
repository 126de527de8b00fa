package dev.jbert.finetune.fewshot;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.StratifiedSplit;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.ModelFolderCheck;
import dev.jbert.finetune.model.ModelLoader;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.ood.ConfidenceConfig;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.FineTuning;
import dev.jbert.finetune.train.StopRequest;
import dev.jbert.finetune.train.TrainingListener;
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Few-shot intent training, SetFit's recipe (Tunstall et al. 2022) ending in an ordinary jbert model
 * folder:
 *
 * <ol>
 *   <li><b>contrastive stage</b>: pairs of the labelled examples ({@link ContrastivePairs}: same
 *       intent 1, different intents 0, balanced, R rounds) train the encoder so that the cosine
 *       similarity of the mean-pooled sentence embeddings matches the pair's target
 *       ({@link ContrastiveStage#trainEncoder});
 *   <li><b>head</b>: with the encoder fixed, a logistic regression on the normalised embeddings
 *       becomes the classifier ({@link ContrastiveStage#fitHead});
 *   <li><b>classifier stage</b>: {@link FineTuning#run} continues from that model with the given
 *       {@link FineTuneConfig} (cross-entropy on the same examples, encoder and head together), which
 *       also writes the folder, {@code metrics.json}, the log and the charts as any run does;
 *   <li><b>self-training</b>, when unlabelled messages are given: the model of step 3 is the
 *       <em>teacher</em>; it labels the messages, those it gives a top probability of at least
 *       {@link SelfTrainingConfig#threshold()} join the labelled examples ({@link PseudoLabels}), and
 *       a <em>student</em> continues from the teacher on both, with the classifier stage's settings but
 *       its own epochs and learning rate.
 *       With more rounds the student becomes the next teacher. The last student is the model.
 * </ol>
 *
 * <p><b>Where the head sits.</b> The model's head reads the normalised mean of the tokens
 * ({@link BertConfig#NORMALIZED_MEAN}), not Hugging Face's [CLS] pooler. The contrastive stage
 * shapes exactly that vector: a pooler head would read the [CLS] vector through a dense layer that
 * the contrastive loss never trained, and the classifier stage would have to rebuild from the few
 * examples what the pairs taught. With the head on the trained embedding, the logistic regression
 * is SetFit's own head, and {@code classifier_pooling} in {@code config.json} tells
 * {@link BertForSequenceClassification} (and so {@code Predictor}, {@code jbert eval}, {@code
 * predict} and {@code serve}) to read it; nothing else about the folder changes. The brief classifier
 * stage is SetFit's optional end-to-end step: with the head already fitted it starts from a good
 * classifier instead of a random one, so a small learning rate and one epoch suffice.
 *
 * <p>The contrastive stage sees only the training part: without evaluation data a stratified
 * {@code validationSplit} is held out first (0 trains on every example, the usual choice with ten
 * examples per intent). The stage is short and is not checkpointed: a stopped run starts again.
 */
public final class FewShotTraining {

  /** Suffix of the folder beside the output that holds the model between the stages. */
  public static final String STAGE_SUFFIX = ".contrastive";

  /** Suffix of the folder beside the output that holds self-training's teacher. */
  public static final String TEACHER_SUFFIX = ".teacher";

  private FewShotTraining() {}

  /**
   * Runs the three steps; see the class comment.
   *
   * @param modelDir a local model folder (a sentence-transformers encoder such as all-MiniLM-L6-v2)
   * @param train labelled intent examples (e.g. {@code FewShotSampler.sample(all, 10, seed)})
   * @param eval labelled evaluation examples, or empty
   * @param output the output folder, as for {@link FineTuning#run}
   * @param classifier the classifier stage's settings (intent task; no resume)
   * @param contrastive the contrastive stage's and the head's settings
   * @param listener hears the classifier stage
   * @param stageLog receives the contrastive stage's progress lines
   * @param stop asks the run to stop after the current step
   */
  public static FineTuneResult run(Path modelDir, List<Example> train, List<Example> eval, Path output,
      FineTuneConfig classifier, ContrastiveConfig contrastive, TrainingListener listener, Consumer<String> stageLog,
      StopRequest stop) throws IOException {
    return run(modelDir, train, eval, List.of(), SelfTrainingConfig.defaults(), output, classifier, contrastive, listener,
        stageLog, stop);
  }

  /**
   * Runs the steps of the class comment, with self-training on {@code unlabelled} when it is not empty.
   *
   * @param unlabelled messages without labels (labels given are ignored), or empty for no self-training
   * @param selfTraining the rounds, the threshold and the students' schedule of self-training
   */
  public static FineTuneResult run(Path modelDir, List<Example> train, List<Example> eval, List<Example> unlabelled,
      SelfTrainingConfig selfTraining, Path output, FineTuneConfig classifier, ContrastiveConfig contrastive,
      TrainingListener listener, Consumer<String> stageLog, StopRequest stop) throws IOException {
    Backend.init();
    if (classifier.task() != Task.INTENT) {
      throw new IllegalArgumentException("the few-shot recipe trains intents (task intent), not " + classifier.task().id());
    }
    if (classifier.resume()) {
      throw new IllegalArgumentException("the few-shot recipe does not resume (its contrastive stage is not checkpointed); "
          + "run it again with --overwrite");
    }
    if (classifier.classifierPooling() != null && !classifier.classifierPooling().equals(BertConfig.NORMALIZED_MEAN)) {
      throw new IllegalArgumentException("the few-shot recipe's head reads the normalized mean its contrastive stage trains;"
          + " classifier pooling '" + classifier.classifierPooling() + "' would read another vector");
    }
    if (train.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    Optional<Example> paired = Stream.concat(train.stream(), unlabelled.stream()).filter(Example::hasPair).findFirst();
    if (paired.isPresent()) {
      throw new DataFileException(paired.get().source(), paired.get().line(),
          "the few-shot recipe classifies single messages; this row has a pair");
    }
    FineTuning.checkOutput(modelDir, List.of(train, eval), output, classifier);
    List<Example> trainPart = train;
    List<Example> evalPart = eval;
    if (eval.isEmpty() && classifier.validationSplit() > 0) {
      StratifiedSplit.Parts parts = StratifiedSplit.split(train, classifier.validationSplit(), classifier.seed());
      trainPart = parts.train();
      evalPart = parts.validation();
    }
    Path stage = sibling(output, STAGE_SUFFIX);
    Path teacher = sibling(output, TEACHER_SUFFIX);
    AtomicFiles.deleteTree(stage);
    AtomicFiles.deleteTree(teacher);
    try {
      contrastiveModel(modelDir, trainPart, stage, classifier, contrastive, stageLog, stop);
      stageLog.accept("classifier stage: from the contrastive model with the fitted head");
      if (unlabelled.isEmpty()) {
        return FineTuning.run(stage, trainPart, evalPart, output, classifier, listener, stop);
      }
      // Teachers are scored on nothing and fit no confidence: only the last student is the model.
      FineTuneConfig teacherConfig = classifier.toBuilder().validationSplit(0).finalEvaluation(false)
          .handOffPrecision(null).confidence(ConfidenceConfig.DEFAULT.withCalibrate(false)).overwrite(true).build();
      FineTuning.run(stage, trainPart, List.of(), teacher, teacherConfig, listener, stop);
      AtomicFiles.deleteTree(stage);
      return selfTrain(teacher, stage, trainPart, evalPart, unlabelled, selfTraining, output, classifier, teacherConfig,
          listener, stageLog, stop);
    } finally {
      AtomicFiles.deleteTree(stage);
      AtomicFiles.deleteTree(teacher);
    }
  }

  /**
   * Step 4: the rounds of self-training from the model in {@code teacher}; a student that teaches the
   * next round is written to {@code spare} and takes the teacher's folder, the last one to {@code output}.
   */
  private static FineTuneResult selfTrain(Path teacher, Path spare, List<Example> train, List<Example> eval,
      List<Example> unlabelled, SelfTrainingConfig selfTraining, Path output, FineTuneConfig classifier,
      FineTuneConfig teacherConfig, TrainingListener listener, Consumer<String> stageLog, StopRequest stop)
      throws IOException {
    Set<String> labelledTexts = train.stream().map(Example::text).collect(Collectors.toSet());
    FineTuneConfig student = classifier.toBuilder().epochs(selfTraining.studentEpochs()).lr(selfTraining.studentLr())
        .build();
    FineTuneConfig nextTeacher = teacherConfig.toBuilder().epochs(selfTraining.studentEpochs())
        .lr(selfTraining.studentLr()).build();
    List<Integer> added = new ArrayList<>();
    for (int round = 1; ; round++) {
      List<Example> pseudo = pseudoLabels(teacher, unlabelled, selfTraining.threshold(), labelledTexts);
      added.add(pseudo.size());
      stageLog.accept(String.format(Locale.ROOT, "self-training round %d of %d: %d of %d unlabelled messages labelled by "
          + "the teacher at >= %.2f join the %d labelled ones", round, selfTraining.rounds(), pseudo.size(),
          unlabelled.size(), selfTraining.threshold(), train.size()));
      List<Example> studentTrain = new ArrayList<>(train);
      studentTrain.addAll(pseudo);
      if (round == selfTraining.rounds()) {
        SelfTrainingReport report = new SelfTrainingReport(selfTraining.rounds(), selfTraining.threshold(),
            selfTraining.studentEpochs(), selfTraining.studentLr(), train.size(), unlabelled.size(), added);
        return FineTuning.run(teacher, studentTrain, eval, output, student, listener, stop,
            Map.of(SelfTrainingReport.KEY, report));
      }
      FineTuning.run(teacher, studentTrain, List.of(), spare, nextTeacher, listener, stop);
      AtomicFiles.deleteTree(teacher);
      Files.move(spare, teacher);
    }
  }

  /** The unlabelled messages the teacher in {@code teacherDir} labels at {@code threshold} or above. */
  private static List<Example> pseudoLabels(Path teacherDir, List<Example> unlabelled, double threshold,
      Set<String> labelledTexts) throws IOException {
    try (FineTunedModel teacher = FineTunedModel.load(teacherDir)) {
      List<Prediction> predictions = Predictor.of(teacher).withTopK(1).classifyExamples(unlabelled);
      return PseudoLabels.select(unlabelled, predictions, threshold, labelledTexts);
    }
  }

  private static Path sibling(Path output, String suffix) {
    return output.toAbsolutePath().resolveSibling(output.getFileName() + suffix);
  }

  /** Steps 1 and 2: writes the contrastively trained encoder with its fitted head into {@code stage}. */
  private static void contrastiveModel(Path modelDir, List<Example> train, Path stage, FineTuneConfig classifier,
      ContrastiveConfig contrastive, Consumer<String> stageLog, StopRequest stop) throws IOException {
    BertConfig source = BertConfig.load(modelDir.resolve("config.json"));
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(modelDir);
    ModelFolderCheck.check(modelDir, source, tokenizer);
    LabelMap labels = LabelMap.forExamples(train, ModelLoader.headLabels(source));
    BertConfig target = source.withLabels(labels.labels()).withProblemType(Task.INTENT.problemType())
        .withClassifierPooling(BertConfig.NORMALIZED_MEAN);
    boolean contextSegment = train.stream().anyMatch(e -> !e.context().isEmpty());
    TextEncoder encoder = new TextEncoder(tokenizer, FineTuning.maxLength(classifier, source, tokenizer), contextSegment);
    List<EncodedExample> examples = encoder.encodeAll(train, labels);
    int[] labelIds = examples.stream().mapToInt(EncodedExample::labelId).toArray();
    List<ContrastivePairs.Pair> pairs = ContrastivePairs.build(labelIds, contrastive.rounds(), contrastive.seed());
    try (BertForSequenceClassification model = ModelLoader.forFineTuning(modelDir, target)) {
      long start = System.nanoTime();
      ContrastiveStage.trainEncoder(model, examples, pairs, encoder.padId(), contrastive, stageLog, stop);
      double objective = ContrastiveStage.fitHead(model, examples, encoder.padId(), classifier.batchSize(), contrastive);
      stageLog.accept(String.format(Locale.ROOT, "contrastive stage done in %.0f s; head fitted on %d embeddings (objective %.4f)",
          (System.nanoTime() - start) / 1e9, examples.size(), objective));
      Files.createDirectories(stage);
      model.savePretrained(stage);
      FineTuning.copyTokenizerFiles(modelDir, stage);
    }
  }
}
