package dev.jbert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.core.io.HubResolver;
import dev.jbert.finetune.embed.Pooling;
import dev.jbert.finetune.embed.SentenceEmbedder;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert embed}: JSON lines in, one JSON line out per input, in input order.
 *
 * <pre>
 * in:  {"text": "...", "text_pair": "..."}                      (text_pair optional)
 * out: {"embedding": [...]}                                     (--pooling cls, mean or max)
 *      {"last_hidden_state": [[...], ...]}                      (--pooling none: one row per token)
 * </pre>
 *
 * <p>The work is {@link SentenceEmbedder}'s: pooling and normalisation default to the model folder's
 * sentence-transformers settings ({@code 1_Pooling/config.json}, {@code modules.json}), else mean
 * pooling without normalisation. Inputs are truncated {@code longest_first} to {@code --max-length}
 * tokens (default 512, at most the model's {@code max_position_embeddings}). For speed, up to
 * {@value #WINDOW_BATCHES} batches of lines are read ahead and embedded together; the output order
 * is the input order. A bad line stops the run with its line number and exit code 2, after the
 * outputs of the lines before it are written.
 */
@Command(
    name = "embed",
    description = "Embed JSON lines from stdin ({\"text\": ..., \"text_pair\": ...}), or the texts given as arguments,"
        + " with a BERT encoder.")
final class EmbedCommand implements Callable<Integer> {

  /** Batches read ahead and embedded together. */
  static final int WINDOW_BATCHES = 8;

  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin TextArguments arguments;

  @Option(names = "--model", required = true, paramLabel = "DIR_OR_ID",
      description = "Model directory (config.json, weights, tokenizer files) or Hugging Face model id.")
  String model;

  @Option(names = "--pooling", paramLabel = "cls|mean|max|none",
      description = "cls: first token; mean: average over tokens; max: element-wise maximum; none: every token's"
          + " hidden state (default: the folder's 1_Pooling/config.json, else mean).")
  String pooling;

  @Option(names = "--normalize", negatable = true,
      description = "Scale each embedding to unit L2 norm (default: when the folder's modules.json has Normalize).")
  Boolean normalize;

  @Option(names = "--max-length", paramLabel = "N",
      description = "Truncate (longest_first) to N tokens, special tokens included (default 512, at most the model's"
          + " max_position_embeddings).")
  Integer maxLength;

  @Option(names = "--batch-size", paramLabel = "B", defaultValue = "32",
      description = "Inputs per forward pass (default 32).")
  int batchSize;

  @Override
  public Integer call() throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size must be positive, got " + batchSize);
    }
    boolean perToken = pooling != null && pooling.trim().equalsIgnoreCase("none");
    Pooling pool;
    try {
      pool = pooling == null || perToken ? null : Pooling.of(pooling);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--pooling: '" + pooling + "' is not one of cls, mean, max, none");
    }
    if (perToken && Boolean.TRUE.equals(normalize)) {
      throw new IllegalArgumentException("--normalize needs --pooling cls, mean or max");
    }
    Path dir = HubResolver.fromEnvironment(new TerminalDownloads()).resolve(model);
    try (SentenceEmbedder embedder = SentenceEmbedder.load(dir, pool, normalize, maxLength, batchSize)) {
      embedLines(new Reader(embedder.tokenizer(), embedder.encodeOptions(), arguments), embedder, perToken);
    }
    return 0;
  }

  /** Reads windows of lines, embeds and writes them; a bad line ends the run after the lines before it. */
  private void embedLines(Reader reader, SentenceEmbedder embedder, boolean perToken) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    BufferedReader in = new BufferedReader(new InputStreamReader(arguments.jsonLines(), StandardCharsets.UTF_8));
    boolean more = true;
    while (more) {
      List<Encoding> window = new ArrayList<>();
      more = reader.readWindow(in, window, batchSize * WINDOW_BATCHES);
      if (perToken) {
        for (float[][] tokens : embedder.hiddenStates(window)) {
          out.println(JSON.writeValueAsString(Map.of("last_hidden_state", tokens)));
        }
      } else {
        for (float[] embedding : embedder.embedEncodings(window)) {
          out.println(JSON.writeValueAsString(Map.of("embedding", embedding)));
        }
      }
      out.flush();
      reader.throwIfFailed();
    }
  }

  /** Parses and tokenizes the input line by line, remembering the first bad line. */
  private static final class Reader {
    private final BertTokenizer tokenizer;
    private final EncodeOptions options;
    private final TextArguments arguments;
    private int lineNumber;
    private IllegalArgumentException failure;

    Reader(BertTokenizer tokenizer, EncodeOptions options, TextArguments arguments) {
      this.tokenizer = tokenizer;
      this.options = options;
      this.arguments = arguments;
    }

    /** Adds up to {@code size} encodings; false at end of input or at a bad line. */
    boolean readWindow(BufferedReader in, List<Encoding> window, int size) throws IOException {
      while (window.size() < size) {
        String line = in.readLine();
        if (line == null) {
          return false;
        }
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        try {
          window.add(encode(line));
        } catch (IllegalArgumentException | JsonProcessingException e) {
          String why = e instanceof JsonProcessingException json ? "malformed JSON: " + json.getOriginalMessage()
              : e.getMessage();
          failure = new IllegalArgumentException(arguments.where(lineNumber) + ": " + why, e);
          return false;
        }
      }
      return true;
    }

    void throwIfFailed() {
      if (failure != null) {
        throw failure;
      }
    }

    private Encoding encode(String line) throws JsonProcessingException {
      return TextInputLine.encode(tokenizer, line, options);
    }
  }
}
