package dev.jbert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert tokenize}: JSON lines in, one JSON line out per input, in order.
 *
 * <pre>
 * in:  {"text": "...", "text_pair": "..."}          (text_pair optional)
 * out: {"input_ids": [...], "token_type_ids": [...], "attention_mask": [...], "tokens": [...]}
 * </pre>
 *
 * With {@code --max-length N} inputs are truncated with {@code longest_first}; without it there is
 * neither truncation nor padding. A bad line stops the run with its line number and exit code 2.
 */
@Command(
    name = "tokenize",
    description = "Tokenize JSON lines from stdin ({\"text\": ..., \"text_pair\": ...}), or the texts given as"
        + " arguments, into model inputs.")
final class TokenizeCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin TextArguments arguments;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Model directory with tokenizer.json, or vocab.txt and tokenizer_config.json.")
  Path model;

  @Option(names = "--max-length", paramLabel = "N",
      description = "Truncate (longest_first) to N tokens, special tokens included.")
  Integer maxLength;

  @Override
  public Integer call() throws IOException {
    if (maxLength != null && maxLength < 1) {
      throw new IllegalArgumentException("--max-length must be positive, got " + maxLength);
    }
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(model);
    EncodeOptions options = maxLength == null ? EncodeOptions.DEFAULT : EncodeOptions.truncatedTo(maxLength);
    PrintWriter out = spec.commandLine().getOut();
    BufferedReader in = new BufferedReader(new InputStreamReader(arguments.jsonLines(), StandardCharsets.UTF_8));
    String line;
    int lineNumber = 0;
    while ((line = in.readLine()) != null) {
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      try {
        out.println(JSON.writeValueAsString(encode(tokenizer, line, options)));
      } catch (IllegalArgumentException | JsonProcessingException e) {
        out.flush();
        throw new IllegalArgumentException(arguments.where(lineNumber) + ": " + message(e), e);
      }
    }
    out.flush();
    return 0;
  }

  private static ObjectNode encode(BertTokenizer tokenizer, String line, EncodeOptions options)
      throws JsonProcessingException {
    Encoding e = TextInputLine.encode(tokenizer, line, options);
    ObjectNode out = JSON.createObjectNode();
    out.set("input_ids", JSON.valueToTree(e.inputIds()));
    out.set("token_type_ids", JSON.valueToTree(e.typeIds()));
    out.set("attention_mask", JSON.valueToTree(e.attentionMask()));
    out.set("tokens", JSON.valueToTree(e.tokens()));
    return out;
  }

  private static String message(Exception e) {
    return e instanceof JsonProcessingException json ? "malformed JSON: " + json.getOriginalMessage() : e.getMessage();
  }
}
