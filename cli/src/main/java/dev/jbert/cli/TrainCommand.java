package dev.jbert.cli;

import dev.jbert.core.io.HubResolver;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.ReadOptions;
import dev.jbert.finetune.fewshot.FewShotTraining;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.model.TaskSettings;
import dev.jbert.finetune.train.ConsoleProgress;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuneResult;
import dev.jbert.finetune.train.FineTuning;
import dev.jbert.finetune.train.StopRequest;
import dev.jbert.finetune.train.TrainingStoppedException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert train}: fine-tunes a model on a CSV, TSV or JSON Lines file and writes a Hugging Face
 * model folder with {@code metrics.json}, {@code training_log.jsonl} and charts. Defaults are BERT's
 * fine-tuning recipe ({@link FineTuneConfig}). Bad data exits with code 2 and names file and line;
 * an output folder that already holds files needs {@code --overwrite} or {@code --resume}. Ctrl-C
 * or SIGTERM stops after the current step with a checkpoint and prints the command that resumes.
 */
@Command(name = "train", sortOptions = false,
    description = "Fine-tune a BERT model for intents, reply pairs or scores, and save it in Hugging Face format.")
final class TrainCommand implements Callable<Integer> {

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR_OR_ID",
      description = "Model folder, or a Hugging Face hub id (downloaded into the hub cache).")
  String model;

  @Option(names = "--train", required = true, paramLabel = "FILE", description = "Training data (.csv, .tsv or .jsonl).")
  Path train;

  @Option(names = "--eval", paramLabel = "FILE",
      description = "Evaluation data; without it a stratified --validation-split of the training data is held out.")
  Path eval;

  @Option(names = "--task", required = true, paramLabel = "TASK", description = "intent, pair or regression.")
  String task;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the fine-tuned model and reports go.")
  Path output;

  @CommandLine.Mixin DataColumns columns;

  @CommandLine.Mixin RecipeOption recipe;

  @CommandLine.Mixin FewShotOptions fewShot;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "3", description = "Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
      description = "Stop after N optimizer steps; the schedule is sized for them (overrides --epochs).")
  long maxSteps;

  @Option(names = "--lr", paramLabel = "X", defaultValue = "5e-5", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
  double lr;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--max-length", paramLabel = "N", defaultValue = "0",
      description = "Token limit, special tokens included. Default: 128, or less if the model allows less.")
  int maxLength;

  @ArgGroup(exclusive = true)
  Warmup warmup = new Warmup();

  static final class Warmup {
    @Option(names = "--warmup-ratio", paramLabel = "X", description = "Share of the steps spent warming up. Default: 0.1.")
    Double ratio;

    @Option(names = "--warmup-steps", paramLabel = "N", description = "Warm-up in steps.")
    Long steps;
  }

  @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0.01",
      description = "AdamW weight decay (not on biases and LayerNorm). Default: ${DEFAULT-VALUE}.")
  double weightDecay;

  @Option(names = "--max-grad-norm", paramLabel = "X", defaultValue = "1.0", description = "Gradient clipping. Default: ${DEFAULT-VALUE}.")
  double maxGradNorm;

  @Option(names = "--dropout", paramLabel = "P", description = "Hidden, attention and classifier dropout (default: the model's).")
  Double dropout;

  @Option(names = "--classifier-pooling", paramLabel = "NAME",
      description = "What the classification head reads: pooler ([CLS] through the pooler, Hugging Face's head), mean "
          + "(mean of the token vectors, sentence-transformers' embedding) or normalized_mean (default: the model's).")
  String classifierPooling;

  @Option(names = "--no-shuffle", description = "Keep file order, no length bucketing: batch k holds training rows kB+1 .. kB+B.")
  boolean noShuffle;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--freeze-embeddings", description = "Do not train the embeddings.")
  boolean freezeEmbeddings;

  @Option(names = "--freeze-layers", paramLabel = "N", defaultValue = "0",
      description = "Do not train the embeddings and the lowest N encoder layers.")
  int freezeLayers;

  @Option(names = "--layer-lr-decay", paramLabel = "X", defaultValue = "1.0",
      description = "Layer-wise learning-rate decay factor (1 = off).")
  double layerLrDecay;

  @Option(names = "--class-weights", description = "Weight the loss by inverse class frequency (balanced).")
  boolean classWeights;

  @Option(names = "--label-smoothing", paramLabel = "X", defaultValue = "0", description = "Cross-entropy label smoothing.")
  double labelSmoothing;

  @Option(names = "--r-drop", paramLabel = "ALPHA", defaultValue = "0",
      description = "R-Drop: run each batch twice under different dropout masks and add ALPHA times the symmetric KL"
          + " between the two predictions to the loss (twice the compute per step; 0 = off).")
  double rDrop;

  @Option(names = "--ema-decay", paramLabel = "X", defaultValue = "0",
      description = "Keep an exponential moving average of the weights with this decay (e.g. 0.999) and evaluate and save"
          + " the averaged model (0 = off).")
  double emaDecay;

  @Option(names = "--grad-accum", paramLabel = "N", defaultValue = "1", description = "Micro-batches per optimizer step.")
  int gradAccum;

  @Option(names = "--early-stopping", paramLabel = "N", defaultValue = "0",
      description = "Stop after N evaluations without improvement (0 = off).")
  int earlyStopping;

  @Option(names = "--validation-split", paramLabel = "F",
      description = "Share held out when no --eval is given (default 0.1; 0 trains on every row and keeps the last epoch).")
  Double validationSplit;

  @Option(names = "--metric", paramLabel = "NAME",
      description = "Metric that picks the best epoch: accuracy, macro_f1 or loss; mse, mae, pearson or spearman for regression.")
  String metric;

  @Option(names = "--logging-steps", paramLabel = "N", defaultValue = "20", description = "Steps between log entries.")
  int loggingSteps;

  @Option(names = "--save-steps", paramLabel = "N", defaultValue = "0",
      description = "Steps between extra checkpoints inside an epoch (0 = none by step count).")
  int saveSteps;

  @Option(names = "--save-minutes", paramLabel = "M", defaultValue = "5",
      description = "A checkpoint at least every M minutes besides epoch ends (0 = off). Default: ${DEFAULT-VALUE}.")
  double saveMinutes;

  @Option(names = "--no-final-eval",
      description = "Do not score the kept model after training (without evaluation data that scores every training row).")
  boolean noFinalEval;

  @Option(names = "--handoff-precision", paramLabel = "P",
      description = "Pick the confidence threshold on the evaluation data so that automatic answers are right P of the time.")
  Double handOffPrecision;

  @Option(names = "--handoff-label", paramLabel = "LABEL", defaultValue = "transfer_to_agent",
      description = "Answer below the threshold. Default: ${DEFAULT-VALUE}.")
  String handOffLabel;

  @Option(names = "--oos-label", paramLabel = "LABEL",
      description = "Label of out-of-scope messages (e.g. oos): report their recall in metrics.json.")
  String outOfScopeLabel;

  @CommandLine.Mixin ConfidenceOptions confidence;

  @Option(names = "--resume", description = "Continue the run into --output from its checkpoint (also after Ctrl-C).")
  boolean resume;

  @Option(names = "--overwrite",
      description = "Replace an --output folder that already holds files; the old one stays whole until the new model is complete.")
  boolean overwrite;

  @Override
  public Integer call() throws IOException {
    ReadOptions options = columns.readOptions(Task.of(task), TaskSettings.Columns.UNKNOWN);
    FineTuneConfig config = config(options);
    PrintWriter out = spec.commandLine().getOut();
    StopRequest stop = new StopRequest();
    CountDownLatch finished = new CountDownLatch(1);
    Thread onSignal = new Thread(() -> stopAndWait(stop, finished), "jbert-train-stop");
    Runtime.getRuntime().addShutdownHook(onSignal);
    try {
      train(config, options, out, stop);
      return 0;
    } catch (TrainingStoppedException e) {
      if (e.checkpoint() == null) {
        out.println("stopped before the first training step; nothing to resume");
      } else {
        out.println("stopped after step " + e.step() + "; checkpoint in " + e.checkpoint());
        out.println("continue with: " + resumeCommand());
      }
      out.flush();
      return 130;
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(onSignal);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running (Ctrl-C or SIGTERM): it has waited for this and the JVM exits after it
      }
    }
  }

  /**
   * Ctrl-C (SIGINT) or SIGTERM: the JVM runs shutdown hooks and exits when they end, so this one
   * asks training to stop after its current step and holds the exit until the checkpoint is written
   * and the resume command printed.
   */
  private void stopAndWait(StopRequest stop, CountDownLatch finished) {
    stop.request();
    System.err.println("jbert: stopping after the current step; writing a checkpoint ...");
    try {
      finished.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void train(FineTuneConfig config, ReadOptions options, PrintWriter out, StopRequest stop) throws IOException {
    Path modelDir = HubResolver.fromEnvironment(new TerminalDownloads()).resolve(model);
    List<Example> trainExamples = fewShot.sample(columns.read(train, options), seed);
    List<Example> evalExamples = eval == null ? List.of() : columns.read(eval, options);
    if (fewShot.unlabelled != null && !recipe.isFewShot()) {
      throw new IllegalArgumentException("--unlabelled is the self-training of --recipe few-shot; add --recipe few-shot");
    }
    List<Example> unlabelled = fewShot.unlabelled == null ? List.of() : columns.read(fewShot.unlabelled, options.withoutLabels());
    FineTuneResult result;
    try {
      var listener = System.console() != null ? new TerminalProgress(out, System.out) : new ConsoleProgress(out);
      result = recipe.isFewShot()
          ? FewShotTraining.run(modelDir, trainExamples, evalExamples, unlabelled, fewShot.selfTraining(), output, config,
              fewShot.contrastive(seed), listener,
              line -> {
                out.println(line);
                out.flush();
              }, stop)
          : FineTuning.run(modelDir, trainExamples, evalExamples, output, config, listener, stop);
    } catch (DataFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    out.println("saved the fine-tuned model to " + output);
    if (result.evaluation() == null) {
      out.println("kept epoch " + result.state().bestEpoch() + " (not scored: --no-final-eval)");
      out.flush();
      return;
    }
    StringBuilder line = new StringBuilder("kept epoch " + result.state().bestEpoch() + "; on " + result.evaluatedOn()
        + " (" + result.evaluation().count() + " examples):");
    for (Map.Entry<String, Double> m : result.evaluation().summary().entrySet()) {
      line.append(String.format(Locale.ROOT, " %s %.4f", m.getKey(), m.getValue()));
    }
    out.println(line);
    if (result.handOff() != null) {
      out.println(String.format(Locale.ROOT, "hand-off threshold %.4f: %.1f%% answered automatically, precision %.4f%s",
          result.handOff().threshold(), 100 * result.handOff().coverage(), result.handOff().precision(),
          result.handOff().reached() ? "" : " (target not reached: every message is handed off)"));
    }
    ConfidenceOptions.printSummary(output, out);
    out.flush();
  }

  /** This command line with {@code --resume} (and without {@code --overwrite}), quoted for a POSIX shell. */
  private String resumeCommand() {
    StringBuilder command = new StringBuilder("jbert");
    List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
    args.remove("--overwrite");
    if (!args.contains("--resume")) {
      args.add("--resume");
    }
    for (String arg : args) {
      command.append(' ').append(arg.matches("[A-Za-z0-9_./:=@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
    }
    return command.toString();
  }

  /** The run's settings; the columns of {@code options} are saved with the model for eval and predict. */
  private FineTuneConfig config(ReadOptions options) {
    FineTuneConfig.Builder b = FineTuneConfig.builder(Task.of(task))
        .epochs(epochs).maxSteps(maxSteps).lr(lr).batchSize(batchSize).maxLength(maxLength)
        .weightDecay(weightDecay).maxGradNorm(maxGradNorm).dropout(dropout).classifierPooling(classifierPooling).shuffle(!noShuffle).seed(seed)
        .freezeEmbeddings(freezeEmbeddings).freezeLayers(freezeLayers).layerLrDecay(layerLrDecay)
        .classWeights(classWeights).labelSmoothing(labelSmoothing).rDrop(rDrop).emaDecay(emaDecay)
        .gradAccum(gradAccum)
        .earlyStoppingPatience(earlyStopping).metric(metric).loggingSteps(loggingSteps).saveSteps(saveSteps)
        .saveInterval(Duration.ofMillis(Math.round(saveMinutes * 60_000)))
        .handOffPrecision(handOffPrecision).handOffLabel(handOffLabel).outOfScopeLabel(outOfScopeLabel)
        .finalEvaluation(!noFinalEval).resume(resume).overwrite(overwrite).columns(options)
        .confidence(confidence.config());
    recipe.applyDefaults(b, spec.commandLine().getParseResult(), eval != null);
    if (warmup.ratio != null) {
      b.warmupRatio(warmup.ratio);
    }
    if (warmup.steps != null) {
      b.warmupSteps(warmup.steps);
    }
    if (validationSplit != null) {
      if (eval != null) {
        throw new IllegalArgumentException("--validation-split holds out part of --train; it cannot be combined with --eval");
      }
      b.validationSplit(validationSplit);
    }
    return b.build();
  }
}
