package dev.jbert.examples;

import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.calibrate.CalibrationSummary;
import dev.jbert.finetune.calibrate.SelectiveAccuracy;
import dev.jbert.finetune.confidence.ConfidenceFitting;
import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.datasets.Clinc150;
import dev.jbert.finetune.datasets.Datasets;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.metrics.OutOfScopeMetrics;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Inference;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.ood.ConfidenceConfig;
import dev.jbert.finetune.ood.DetectorReport;
import dev.jbert.finetune.ood.KnnDetector;
import dev.jbert.finetune.train.ConsoleProgress;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.Recipes;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.FineTuning;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * CLINC150 with out-of-scope detection (Larson et al. 2019): fine-tunes all-MiniLM-L6-v2 (or {@code --model}) on the 150
 * intents plus {@code oos}, fits the calibration temperature and every out-of-scope detector
 * (softmax, energy, Mahalanobis and kNN on the pooled features of the training set), picks each
 * detector's threshold on the validation split for an in-scope recall (95%) and the hand-off's
 * detector (best validation AUROC), then reports on the test split, per detector, AUROC, FPR at 95%
 * in-scope recall, in-scope accuracy and out-of-scope recall (a hand-off counts as "out of scope"),
 * and the expected calibration error before and after temperature scaling. With {@code
 * --ood-detector none} it picks the softmax threshold for a target precision of automatic answers
 * instead, as before detectors.
 *
 * <pre>
 * java -cp ... dev.jbert.examples.Clinc150OutOfScope [--model DIR] [--epochs N] [--max-steps N] [--lr X] [--r-drop A] [--label-smoothing X] [--recipe intent] [--ood-detector auto|softmax|energy|mahalanobis|knn|none]
 *     [--in-scope-recall R] [--knn-k K] [--precision P] [--validation-only] [--resume] [--output DIR]
 * </pre>
 */
@Command(name = "Clinc150OutOfScope", description = "CLINC150 with out-of-scope detection: fine-tune, pick the hand-off threshold, report on the test split.")
public final class Clinc150OutOfScope implements Callable<Integer> {

  @Mixin RunOptions run;

  @Option(names = "--model", description = "The BERT checkpoint to fine-tune (default: all-MiniLM-L6-v2 of --shared).")
  Path model;

  @Option(names = "--lr", description = "Peak learning rate (default: 5e-5, or the recipe's).")
  Double lr;

  @Option(names = "--recipe", description = "intent: start from jbert train's intent recipe (Recipes.intent()), with --epochs"
      + " as given.")
  String recipe;

  @Option(names = "--r-drop", description = "R-Drop's weight (0: off; default: the recipe's).")
  Double rDrop;

  @Option(names = "--label-smoothing", description = "Label smoothing (default: the recipe's).")
  Double labelSmoothing;

  @Option(names = "--precision", defaultValue = "0.95",
      description = "Target precision of automatic answers on the validation split (default: ${DEFAULT-VALUE}).")
  double precision;

  @Option(names = "--ood-detector", defaultValue = ConfidenceConfig.AUTO,
      description = "Hand-off detector: auto (best validation AUROC), softmax, energy, mahalanobis, knn, or none for the "
          + "softmax threshold of --precision (default: ${DEFAULT-VALUE}).")
  String detector;

  @Option(names = "--in-scope-recall", defaultValue = "0.95",
      description = "Share of in-scope validation queries each detector's threshold keeps (default: ${DEFAULT-VALUE}).")
  double inScopeRecall;

  @Option(names = "--knn-k", defaultValue = "" + KnnDetector.DEFAULT_K, description = "k of the kNN detector (default: ${DEFAULT-VALUE}).")
  int knnK;

  @Option(names = "--validation-only", description = "Stop after training and fitting on the validation split, without "
      + "touching the test split: for choosing settings (metrics.json holds the validation figures).")
  boolean validationOnly;

  @Option(names = "--resume", description = "Continue an interrupted run in --output from its checkpoint.")
  boolean resume;

  @Option(names = "--output", defaultValue = "runs/clinc150-minilm", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path output;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Clinc150OutOfScope()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    DatasetSplits clinc = Datasets.clinc150(run.shared.resolve("data"), true);

    boolean detectors = !detector.equals("none");
    if (recipe != null && !recipe.equals(Recipes.INTENT)) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--recipe '" + recipe + "' is not known; use intent");
    }
    FineTuneConfig.Builder settings = recipe != null ? Recipes.intent() : FineTuneConfig.builder(Task.INTENT).lr(5e-5);
    if (lr != null) {
      settings.lr(lr);
    }
    if (rDrop != null) {
      settings.rDrop(rDrop);
    }
    if (labelSmoothing != null) {
      settings.labelSmoothing(labelSmoothing);
    }
    FineTuneConfig config = settings
        .epochs(run.epochs)
        .maxSteps(run.maxSteps)
        .handOffPrecision(detectors ? null : precision)
        .handOffLabel(Clinc150.OUT_OF_SCOPE)
        .outOfScopeLabel(Clinc150.OUT_OF_SCOPE)
        .confidence(new ConfidenceConfig(true, detectors ? detector : null, inScopeRecall, knnK))
        .resume(resume)
        .build();
    FineTuneResult result = FineTuning.run(model != null ? model : run.shared.resolve("models/all-MiniLM-L6-v2"), clinc.train(), clinc.validation(), output,
        config, ConsoleProgress.onStdout());
    if (result.handOff() != null) {
      System.out.printf("hand-off threshold %.4f (validation: precision %.4f, %.1f%% answered automatically)%n",
          result.handOff().threshold(), result.handOff().precision(), 100 * result.handOff().coverage());
    }
    if (validationOnly) {
      System.out.println("validation only: the figures are in " + output.resolve("metrics.json"));
      return 0;
    }

    try (FineTunedModel model = FineTunedModel.load(output)) {
      List<EncodedExample> encoded = model.encoder().encodeAll(clinc.test(), model.labels());
      Inference.Outputs outputs = Inference.outputs(model.model(), encoded, model.encoder().padId(), 64, detectors);
      Evaluation test = Evaluator.of(model, 64).evaluateLogits(encoded, outputs.logits());
      OutOfScopeMetrics withoutHandOff = test.outOfScope(model.labels(), Clinc150.OUT_OF_SCOPE, null);
      CalibrationSummary calibration = CalibrationSummary.measure(outputs.logits(), test.gold(), model.settings().temperature(),
          "validation");
      System.out.printf("test: accuracy %.4f over all %d queries; temperature %.3f, ECE %.4f before, %.4f after%n",
          test.classification().accuracy(), test.count(), calibration.temperature(), calibration.eceBeforeCalibration(),
          calibration.ece());
      for (SelectiveAccuracy level : calibration.selectiveAccuracy()) {
        System.out.printf("  answered alone at confidence >= %.2f: %.1f%% of the queries, %.2f%% of them right%n",
            level.minConfidence(), 100 * level.coverage(), 100 * level.accuracy());
      }
      System.out.printf("  oos as a class:   in-scope accuracy %.4f, out-of-scope recall %.4f%n",
          withoutHandOff.inScopeAccuracy(), withoutHandOff.outOfScopeRecall());
      if (!detectors) {
        OutOfScopeMetrics withHandOff = test.outOfScope(model.labels(), Clinc150.OUT_OF_SCOPE, model.settings().handOff());
        System.out.printf("  plus the hand-off: in-scope accuracy %.4f, out-of-scope recall %.4f%n",
            withHandOff.inScopeAccuracy(), withHandOff.outOfScopeRecall());
        return 0;
      }
      System.out.printf("  with each detector at its validation threshold (hand-off by %s):%n",
          model.settings().handOff().detector().id());
      System.out.printf("  %-12s %8s %8s %14s %10s %10s %10s%n", "detector", "AUROC", "FPR95", "threshold", "in_recall",
          "in_acc", "oos_recall");
      for (DetectorReport r : ConfidenceFitting.reportSaved(model, outputs.logits(), outputs.features(), test.gold(),
          test.predicted(), Clinc150.OUT_OF_SCOPE)) {
        System.out.printf("  %-12s %8.4f %8.4f %14.6g %10.4f %10.4f %10.4f%n", r.detector(), r.auroc(), r.fprAt95InScopeRecall(),
            r.threshold(), r.inScopeRecall(), r.inScopeAccuracy(), r.outOfScopeRecall());
      }
    }
    return 0;
  }
}
