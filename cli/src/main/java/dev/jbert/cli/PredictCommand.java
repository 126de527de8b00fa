package dev.jbert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.core.io.HubResolver;
import dev.jbert.finetune.data.CsvTable;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.data.FileFormat;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.ood.DetectorKind;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.predict.ScoredLabel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert predict}: one answer per input line, in order, as soon as its batch is due.
 *
 * <pre>
 * in:  {"id": 7, "text": "...", "text_pair": "...", "context": ["older turn", "newer turn"]}   (text_pair, context optional)
 * out: {"id": 7, "text": "...", "label": "card_arrival", "score": 0.93, "top_k": [{"label": "card_arrival", "score": 0.93}, ...]}
 *      {"text": "...", "score": 4.2}                                                          (regression)
 * </pre>
 *
 * <p>Every input field is echoed except those predict writes itself ({@code label}, {@code score},
 * {@code top_k}, {@code handed_off}, {@code error}), which are replaced. The message, reply and
 * earlier turns are read from the columns the model was trained on or the usual names above
 * ({@link PredictFields}). With a threshold (given, or saved with the model by {@code train
 * --handoff-precision}) a prediction whose top probability is below it answers the hand-off label and
 * says {@code "handed_off": true}.
 *
 * <p>Lines are read on their own thread; a batch runs when it is full or {@code --max-wait-ms}
 * after its first line arrived, and its answers are flushed at once, so a live pipe gets each answer
 * within that wait plus one forward pass. A blank line is answered by an empty line. A bad line stops
 * the run with its {@code file:line} and exit code 2 (after answering the lines before it), or with
 * {@code --on-error skip} is answered by {@code {..., "error": "stdin:3: ..."}}.
 *
 * <p>{@code --input} and {@code --output} read and write CSV, TSV or JSON Lines by extension; the
 * output file is written under a temporary name and renamed when the input has ended. Texts given as
 * arguments ({@link TextArguments}) are read as the lines {@code {"text": TEXT}} in place of stdin,
 * and named {@code argument:N} in errors.
 */
@Command(name = "predict", sortOptions = false,
    description = {"Predict labels (or scores) for JSON lines on stdin, {\"text\", \"text_pair\", \"context\": [...]}, "
        + "for the texts given as arguments, or for a CSV/TSV/JSON Lines file; one answer per input line, every input"
        + " field echoed."})
final class PredictCommand implements Callable<Integer> {

  /** What predict does when a line cannot be answered. */
  enum OnError {
    /** Stop: answer the lines before it, then exit 2 naming the line. */
    FAIL,
    /** Answer it with a JSON error object, {@code {..., "error": "file:line: ..."}}, and go on. */
    SKIP
  }

  /** Fields predict writes; an input field of the same name is replaced. */
  static final Set<String> OWN_FIELDS = Set.of("label", "score", "top_k", "handed_off", "error");

  private static final int DEFAULT_TOP_K = 3;
  private static final Path STDIN = Path.of("stdin");
  private static final Path ARGUMENTS = Path.of("argument");

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "A fine-tuned model folder.")
  String model;

  @Option(names = "--input", paramLabel = "FILE",
      description = "Read this CSV, TSV or JSON Lines file (by extension, or --format) instead of JSON lines on stdin.")
  Path input;

  @Option(names = "--output", paramLabel = "FILE",
      description = "Write the answers to this .csv, .tsv or .jsonl file (replaced when the input has ended) instead of stdout.")
  Path output;

  @CommandLine.Mixin InputColumns columns;

  @CommandLine.Mixin TextArguments arguments;

  @Option(names = "--top-k", paramLabel = "K", description = "Labels listed per message. Default: " + DEFAULT_TOP_K + ".")
  Integer topK;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Below this top probability (or, with --ood-detector, this detector score) answer the hand-off label "
          + "(default: the threshold saved with the model, if any).")
  Double threshold;

  @Option(names = "--ood-detector", paramLabel = "NAME",
      description = "Hand off by this out-of-scope detector saved with the model (softmax, energy, mahalanobis, knn) at its "
          + "saved threshold (default: the model's hand-off detector).")
  String oodDetector;

  @Option(names = "--handoff-label", paramLabel = "LABEL",
      description = "Hand-off answer, e.g. transfer_to_agent or 转人工 (default: the model's, else transfer_to_agent); needs a threshold.")
  String handOffLabel;

  @Option(names = "--on-error", paramLabel = "fail|skip", defaultValue = "fail",
      description = "A line that cannot be answered: fail stops with exit code 2 naming it; skip answers it with "
          + "{\"error\": \"file:line: ...\"} and goes on. Default: ${DEFAULT-VALUE}.")
  OnError onError;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Messages per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--max-wait-ms", paramLabel = "MS", defaultValue = "20",
      description = "Run a batch this long after its first line arrived even if it is not full. Default: ${DEFAULT-VALUE}.")
  long maxWaitMs;

  /** Lines answered and lines answered with an error. */
  private long answered;
  private long failed;

  @Override
  public Integer call() throws Exception {
    if (maxWaitMs < 0) {
      throw new IllegalArgumentException("--max-wait-ms must be >= 0, got " + maxWaitMs);
    }
    FileFormat inputFormat = inputFormat();
    FileFormat outputFormat = output == null ? FileFormat.JSONL : outputFormat(output);
    try (FineTunedModel loaded = FineTunedModel.load(HubResolver.fromEnvironment(new TerminalDownloads()).resolve(model))) {
      Predictor predictor = predictor(loaded);
      PredictFields fields = PredictFields.of(columns, loaded.settings());
      try (PredictInput lines = open(inputFormat)) {
        if (output == null) {
          run(lines, predictor, fields, PredictOutput.of(FileFormat.JSONL, spec.commandLine().getOut()));
        } else {
          AtomicFiles.write(output, stream -> {
            Writer writer = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            run(lines, predictor, fields, PredictOutput.of(outputFormat, writer));
            writer.flush();
          });
        }
      }
    }
    if (failed > 0) {
      spec.commandLine().getErr().printf("predict: %d of %d lines could not be answered (their \"error\" says why)%n",
          failed, answered + failed);
    }
    if (output != null) {
      spec.commandLine().getErr().printf("predict: %d answers written to %s%n", answered + failed, output);
    }
    spec.commandLine().getErr().flush();
    return 0;
  }

  /** The predictor the options ask for; options that do not apply to the model are refused. */
  private Predictor predictor(FineTunedModel loaded) {
    Predictor predictor = Predictor.of(loaded).withBatchSize(batchSize);
    if (predictor.isRegression()) {
      if (topK != null || threshold != null || handOffLabel != null || oodDetector != null) {
        throw new IllegalArgumentException("--top-k, --threshold, --ood-detector and --handoff-label apply to labels; "
            + "this regression model gives one score per message");
      }
      return predictor.withHandOff(null);
    }
    return predictor.withTopK(topK == null ? DEFAULT_TOP_K : topK).withHandOff(handOff(loaded, threshold, oodDetector, handOffLabel));
  }

  /**
   * The hand-off to apply. The detector: {@code detector} when given; else the softmax one when a
   * {@code threshold} is given (a top probability); else the model's saved hand-off. The threshold:
   * {@code threshold} when given; else the one saved for that detector. The label from {@code label},
   * else the model's, else {@code transfer_to_agent}. Null when there is no threshold.
   *
   * @throws IllegalArgumentException for a hand-off label without any threshold (it would never be
   *     answered), or a detector the model has no threshold for
   */
  static HandOff handOff(FineTunedModel model, Double threshold, String detector, String label) {
    HandOff saved = model.settings().handOff();
    DetectorKind kind = detector != null ? DetectorKind.of(detector)
        : threshold != null || saved == null ? DetectorKind.SOFTMAX : saved.detector();
    Double t = threshold;
    if (t == null && detector != null) {
      t = saved != null && saved.detector() == kind ? Double.valueOf(saved.threshold()) : model.settings().oodThresholds().get(kind);
      if (t == null) {
        throw new IllegalArgumentException("this model has no saved threshold for the " + kind.id() + " detector"
            + (model.settings().oodThresholds().isEmpty() ? " (train --ood-detector fits and saves them)"
                : " (saved: " + model.settings().oodThresholds().keySet().stream().map(DetectorKind::id).toList() + ")")
            + "; pass --threshold T");
      }
    } else if (t == null && saved != null) {
      t = saved.threshold();
    }
    if (t == null) {
      if (label != null) {
        throw new IllegalArgumentException("--handoff-label " + label + " needs a threshold to hand off below: pass "
            + "--threshold T (this model has none saved; train --handoff-precision P or --ood-detector picks and saves one)");
      }
      return null;
    }
    String answer = label != null ? label : saved != null ? saved.handOffLabel() : HandOff.TRANSFER_TO_AGENT;
    return new HandOff(t, answer, kind);
  }

  private FileFormat inputFormat() {
    if (input != null && arguments.given()) {
      throw new IllegalArgumentException("give the messages as arguments or as --input " + input + ", not both");
    }
    if (input == null) {
      if (columns.format != null && columns.format != FileFormat.JSONL) {
        throw new IllegalArgumentException((arguments.given() ? "texts given as arguments are" : "stdin takes")
            + " JSON lines; --format " + columns.format.name().toLowerCase(Locale.ROOT) + " applies to an --input file");
      }
      return FileFormat.JSONL;
    }
    return columns.formatOf(input);
  }

  private static FileFormat outputFormat(Path file) {
    try {
      return FileFormat.of(file);
    } catch (DataFileException e) {
      throw new IllegalArgumentException("--output " + file + ": cannot tell the format from the file name; name it .csv, .tsv or .jsonl", e);
    }
  }

  private PredictInput open(FileFormat format) throws IOException {
    int capacity = 4 * Math.max(1, batchSize);
    if (input == null) {
      return PredictInput.jsonLines(arguments.jsonLines(), arguments.given() ? ARGUMENTS : STDIN, capacity);
    }
    if (format == FileFormat.JSONL) {
      InputStream in;
      try {
        in = Files.newInputStream(input);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException(input + ": no such file", e);
      }
      return PredictInput.jsonLines(in, input, capacity);
    }
    CsvTable table;
    try {
      table = CsvTable.read(input, format == FileFormat.TSV ? '\t' : ',');
    } catch (DataFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return PredictInput.table(table, capacity);
  }

  /** Answers batch after batch until the input ends, flushing after each. */
  private void run(PredictInput lines, Predictor predictor, PredictFields fields, PredictOutput out) throws IOException {
    long maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
    try {
      List<PredictInput.Line> batch;
      while (!(batch = lines.nextBatch(batchSize, maxWaitNanos)).isEmpty()) {
        answer(batch, lines, predictor, fields, out);
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for input");
    }
    out.finish();
  }

  /**
   * Writes one answer per line of {@code batch}. With {@code --on-error fail} a line that cannot be
   * answered ends the batch: the lines before it are answered and written, then its error is thrown.
   */
  private void answer(List<PredictInput.Line> batch, PredictInput lines, Predictor predictor, PredictFields fields,
      PredictOutput out) throws IOException {
    ObjectNode[] answers = new ObjectNode[batch.size()];
    List<Example> examples = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    int end = batch.size();
    RuntimeException stop = null;
    for (int i = 0; i < batch.size(); i++) {
      PredictInput.Line line = batch.get(i);
      if (line.kind() == PredictInput.Kind.BLANK) {
        continue; // answered by an empty line
      }
      if (line.kind() == PredictInput.Kind.FATAL) {
        stop = line.fatal();
        end = i;
        break;
      }
      String problem = line.problem();
      if (line.kind() == PredictInput.Kind.RECORD) {
        try {
          Example example = fields.example(line.fields(), lines.isTable(), lines.source(), line.number());
          predictor.requireFits(example);
          examples.add(example);
          positions.add(i);
          continue;
        } catch (IllegalArgumentException | DataFileException e) {
          problem = e.getMessage(); // names source:line
        }
      }
      if (onError == OnError.FAIL) {
        stop = new IllegalArgumentException(problem);
        end = i;
        break;
      }
      answers[i] = echo(line.fields()).put("error", problem);
      failed++;
    }
    List<ObjectNode> predicted = predict(predictor, examples);
    for (int k = 0; k < positions.size(); k++) {
      ObjectNode answer = echo(batch.get(positions.get(k)).fields());
      answer.setAll(predicted.get(k));
      answers[positions.get(k)] = answer;
    }
    for (int i = 0; i < end; i++) {
      out.write(answers[i]);
    }
    answered += examples.size();
    if (stop != null) {
      out.flush();
      throw stop;
    }
  }

  /** Predict's own fields for each example: {@code label, score, top_k[, handed_off]}, or {@code score}. */
  private static List<ObjectNode> predict(Predictor predictor, List<Example> examples) {
    List<ObjectNode> out = new ArrayList<>(examples.size());
    if (examples.isEmpty()) {
      return out;
    }
    if (predictor.isRegression()) {
      for (double score : predictor.scoreExamples(examples)) {
        out.add(Json.MAPPER.createObjectNode().put("score", score));
      }
      return out;
    }
    for (Prediction p : predictor.classifyExamples(examples)) {
      ObjectNode node = Json.MAPPER.createObjectNode();
      node.put("label", p.label());
      node.put("score", p.score());
      ArrayNode top = node.putArray("top_k");
      for (ScoredLabel s : p.topK()) {
        top.addObject().put("label", s.label()).put("score", s.score());
      }
      if (predictor.handOff() != null) {
        node.put("handed_off", p.handedOff());
      }
      out.add(node);
    }
    return out;
  }

  /** The input's fields, except predict's own, in input order; empty for a line that was not an object. */
  private static ObjectNode echo(ObjectNode fields) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    if (fields != null) {
      for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!OWN_FIELDS.contains(field.getKey())) {
          out.set(field.getKey(), field.getValue());
        }
      }
    }
    return out;
  }
}
