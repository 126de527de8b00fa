package dev.jbert.finetune.fewshot;

import dev.jbert.core.Backend;
import dev.jbert.core.BertConfig;
import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.StratifiedSplit;
import dev.jbert.finetune.encode.TextEncoder;
import dev.jbert.finetune.labels.LabelMap;
import dev.jbert.finetune.model.ModelFolderCheck;
import dev.jbert.finetune.model.ModelLoader;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.FineTuning;
import dev.jbert.finetune.train.StopRequest;
import dev.jbert.finetune.train.TrainingListener;
import dev.jbert.tokenizer.BertTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
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
 *       also writes the folder, {@code metrics.json}, the log and the charts as any run does.
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
    for (Example e : train) {
      if (e.hasPair()) {
        throw new DataFileException(e.source(), e.line(), "the few-shot recipe classifies single messages; this row has a pair");
      }
    }
    FineTuning.checkOutput(modelDir, List.of(train, eval), output, classifier);
    List<Example> trainPart = train;
    List<Example> evalPart = eval;
    if (eval.isEmpty() && classifier.validationSplit() > 0) {
      StratifiedSplit.Parts parts = StratifiedSplit.split(train, classifier.validationSplit(), classifier.seed());
      trainPart = parts.train();
      evalPart = parts.validation();
    }
    Path stage = output.toAbsolutePath().resolveSibling(output.getFileName() + STAGE_SUFFIX);
    deleteTree(stage);
    try {
      contrastiveModel(modelDir, trainPart, stage, classifier, contrastive, stageLog, stop);
      stageLog.accept("classifier stage: from the contrastive model with the fitted head");
      return FineTuning.run(stage, trainPart, evalPart, output, classifier, listener, stop);
    } finally {
      deleteTree(stage);
    }
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

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
