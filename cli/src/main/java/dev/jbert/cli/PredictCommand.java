package dev.jbert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.core.io.HubResolver;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.Predictor;
import dev.jbert.finetune.predict.ScoredLabel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert predict}: JSON lines in, one JSON line out per input, in order.
 *
 * <pre>
 * in:  {"text": "...", "text_pair": "...", "context": ["older turn", "newer turn"]}   (text_pair, context optional)
 * out: {"label": "card_arrival", "score": 0.93, "top_k": [{"label": "card_arrival", "score": 0.93}, ...]}
 *      {"score": 4.2}                                                              (regression)
 * </pre>
 *
 * With a threshold (given, or saved with the model by {@code train --handoff-precision}) a
 * prediction whose top probability is below it answers the hand-off label and says {@code
 * "handed_off": true}. Lines are read in chunks of the batch size, so output follows input as it
 * comes. A bad line stops the run with its line number and exit code 2.
 */
@Command(name = "predict", sortOptions = false,
    description = "Predict labels (or scores) for JSON lines on stdin: {\"text\", \"text_pair\", \"context\": [...]}.")
final class PredictCommand implements Callable<Integer> {

  private static final Path STDIN = Path.of("stdin");

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "A fine-tuned model folder.")
  String model;

  @Option(names = "--top-k", paramLabel = "K", defaultValue = "3", description = "Labels listed per message. Default: ${DEFAULT-VALUE}.")
  int topK;

  @Option(names = "--threshold", paramLabel = "T",
      description = "Below this top probability answer the hand-off label (default: the threshold saved with the model, if any).")
  Double threshold;

  @Option(names = "--handoff-label", paramLabel = "LABEL",
      description = "Hand-off answer, e.g. transfer_to_agent or 转人工 (default: the model's, else transfer_to_agent).")
  String handOffLabel;

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32", description = "Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Override
  public Integer call() throws IOException {
    try (FineTunedModel loaded = FineTunedModel.load(HubResolver.fromEnvironment(new TerminalDownloads()).resolve(model))) {
      Predictor predictor = new Predictor(loaded, topK, handOff(loaded, threshold, handOffLabel), batchSize);
      PrintWriter out = spec.commandLine().getOut();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      List<Example> chunk = new ArrayList<>();
      String line;
      long lineNumber = 0;
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        try {
          chunk.add(example(line, lineNumber));
        } catch (IllegalArgumentException | JsonProcessingException e) {
          flush(predictor, chunk, out);
          throw new IllegalArgumentException("stdin line " + lineNumber + ": " + message(e), e);
        }
        if (chunk.size() == batchSize) {
          flush(predictor, chunk, out);
        }
      }
      flush(predictor, chunk, out);
    }
    return 0;
  }

  /**
   * The hand-off to apply: {@code threshold} when given, else the model's saved one; the label from
   * {@code label}, else the model's, else {@code transfer_to_agent}. Null when there is no threshold.
   */
  static HandOff handOff(FineTunedModel model, Double threshold, String label) {
    HandOff saved = model.settings().handOff();
    String answer = label != null ? label : saved != null ? saved.handOffLabel() : HandOff.TRANSFER_TO_AGENT;
    if (threshold != null) {
      return new HandOff(threshold, answer);
    }
    return saved == null ? null : new HandOff(saved.threshold(), answer);
  }

  private static Example example(String line, long lineNumber) throws JsonProcessingException {
    JsonNode input = Json.MAPPER.readTree(line);
    if (!input.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    JsonNode text = input.get("text");
    if (text == null || !text.isTextual() || text.textValue().isBlank()) {
      throw new IllegalArgumentException("\"text\" must be a non-empty string");
    }
    JsonNode pair = input.get("text_pair");
    if (pair != null && !pair.isNull() && (!pair.isTextual() || pair.textValue().isBlank())) {
      throw new IllegalArgumentException("\"text_pair\" must be a non-empty string or null");
    }
    List<String> context = new ArrayList<>();
    JsonNode turns = input.get("context");
    if (turns != null && !turns.isNull()) {
      if (!turns.isArray()) {
        throw new IllegalArgumentException("\"context\" must be an array of strings, oldest turn first");
      }
      for (JsonNode turn : turns) {
        if (!turn.isTextual()) {
          throw new IllegalArgumentException("\"context\" must hold only strings");
        }
        if (!turn.textValue().isBlank()) {
          context.add(turn.textValue().strip());
        }
      }
    }
    String second = pair == null || pair.isNull() ? null : pair.textValue().strip();
    return new Example(text.textValue().strip(), second, context, null, null, STDIN, lineNumber);
  }

  private static void flush(Predictor predictor, List<Example> chunk, PrintWriter out) throws JsonProcessingException {
    if (chunk.isEmpty()) {
      return;
    }
    try {
      if (predictor.isRegression()) {
        for (double score : predictor.scoreExamples(chunk)) {
          out.println(Json.MAPPER.writeValueAsString(Json.MAPPER.createObjectNode().put("score", score)));
        }
      } else {
        for (Prediction p : predictor.classifyExamples(chunk)) {
          out.println(Json.MAPPER.writeValueAsString(json(p, predictor.handOff() != null)));
        }
      }
    } catch (DataFileException e) {
      out.flush();
      throw new IllegalArgumentException(e.getMessage().replaceFirst("^stdin:", "stdin line "), e);
    }
    out.flush();
    chunk.clear();
  }

  private static ObjectNode json(Prediction p, boolean withHandOff) {
    ObjectNode node = Json.MAPPER.createObjectNode();
    node.put("label", p.label());
    node.put("score", p.score());
    ArrayNode top = node.putArray("top_k");
    for (ScoredLabel s : p.topK()) {
      top.addObject().put("label", s.label()).put("score", s.score());
    }
    if (withHandOff) {
      node.put("handed_off", p.handedOff());
    }
    return node;
  }

  private static String message(Exception e) {
    return e instanceof JsonProcessingException json ? "malformed JSON: " + json.getOriginalMessage() : e.getMessage();
  }
}
