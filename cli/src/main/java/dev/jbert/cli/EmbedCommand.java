package dev.jbert.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.core.Backend;
import dev.jbert.core.BertModel;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.io.HubResolver;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jbert embed}: JSON lines in, one JSON line out per input, in input order.
 *
 * <pre>
 * in:  {"text": "...", "text_pair": "..."}                      (text_pair optional)
 * out: {"embedding": [...]}                                     (--pooling cls or mean)
 *      {"last_hidden_state": [[...], ...]}                      (--pooling none: one row per token)
 * </pre>
 *
 * <p>The encoder runs in float, in eval mode. Inputs are truncated {@code longest_first} to
 * {@code --max-length} tokens (default 512, at most the model's {@code max_position_embeddings}).
 * {@code cls} takes the first token's hidden state, {@code mean} averages the hidden states of all
 * tokens (the attention-mask positions, special tokens included, as sentence-transformers does);
 * {@code --normalize} scales the embedding to unit L2 norm. For speed, up to {@value #WINDOW_BATCHES}
 * batches of lines are read ahead, sorted by length and padded per batch; the output order is the
 * input order. A bad line stops the run with its line number and exit code 2, after the outputs of
 * the lines before it are written.
 */
@Command(
    name = "embed",
    description = "Embed JSON lines from stdin ({\"text\": ..., \"text_pair\": ...}) with a BERT encoder.")
final class EmbedCommand implements Callable<Integer> {

  /** Batches read ahead and sorted by length together. */
  static final int WINDOW_BATCHES = 8;

  private static final int DEFAULT_MAX_LENGTH = 512;
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Mixin JbertCli.Verbosity verbosity;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR_OR_ID",
      description = "Model directory (config.json, weights, tokenizer files) or Hugging Face model id.")
  String model;

  @Option(names = "--pooling", paramLabel = "cls|mean|none", defaultValue = "mean", converter = Pooling.Converter.class,
      description = "cls: first token; mean: average over tokens; none: every token's hidden state (default: mean).")
  Pooling pooling;

  @Option(names = "--normalize", description = "Scale each embedding to unit L2 norm (cls and mean pooling).")
  boolean normalize;

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
    if (normalize && pooling == Pooling.NONE) {
      throw new IllegalArgumentException("--normalize needs --pooling cls or mean");
    }
    Path dir = HubResolver.fromEnvironment().resolve(model);
    Backend.init();
    BertTokenizer tokenizer = BertTokenizer.fromPretrained(dir);
    try (BertModel encoder = BertModel.fromPretrained(dir, DataType.FLOAT, false)) {
      encoder.eval();
      encoder.setGradEnabled(false);
      EncodeOptions options = EncodeOptions.truncatedTo(effectiveMaxLength(encoder.config().maxPositionEmbeddings()));
      embedLines(new Reader(tokenizer, options), new Encoder(encoder, tokenizer.padId(), batchSize));
    }
    return 0;
  }

  private int effectiveMaxLength(int maxPositions) {
    if (maxLength == null) {
      return Math.min(DEFAULT_MAX_LENGTH, maxPositions);
    }
    if (maxLength < 1 || maxLength > maxPositions) {
      throw new IllegalArgumentException("--max-length must be in [1, " + maxPositions + "] (the model's "
          + "max_position_embeddings), got " + maxLength);
    }
    return maxLength;
  }

  /** Reads windows of lines, embeds and writes them; a bad line ends the run after the lines before it. */
  private void embedLines(Reader reader, Encoder encoder) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    boolean more = true;
    while (more) {
      List<Encoding> window = new ArrayList<>();
      more = reader.readWindow(in, window, batchSize * WINDOW_BATCHES);
      for (float[][] tokens : encoder.encode(window)) {
        out.println(JSON.writeValueAsString(pooling.output(tokens, normalize)));
      }
      out.flush();
      reader.throwIfFailed();
    }
  }

  /** Parses and tokenizes stdin line by line, remembering the first bad line. */
  private static final class Reader {
    private final BertTokenizer tokenizer;
    private final EncodeOptions options;
    private int lineNumber;
    private IllegalArgumentException failure;

    Reader(BertTokenizer tokenizer, EncodeOptions options) {
      this.tokenizer = tokenizer;
      this.options = options;
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
          failure = new IllegalArgumentException("stdin line " + lineNumber + ": " + why, e);
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

  /**
   * Runs the encoder over encodings sorted by length, in batches right-padded to a multiple of 8
   * tokens (fewer distinct shapes, so the model's per-shape buffers are reused), and returns each
   * input's hidden states at its real tokens, [tokens][hidden], in input order.
   */
  static final class Encoder {
    private static final int PAD_MULTIPLE = 8;

    private final BertModel model;
    private final int padId;
    private final int batchSize;

    Encoder(BertModel model, int padId, int batchSize) {
      this.model = model;
      this.padId = padId;
      this.batchSize = batchSize;
    }

    float[][][] encode(List<Encoding> inputs) {
      Integer[] order = new Integer[inputs.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingInt(i -> inputs.get(i).length()));
      float[][][] out = new float[inputs.size()][][];
      for (int from = 0; from < order.length; from += batchSize) {
        int to = Math.min(order.length, from + batchSize);
        List<Encoding> batch = new ArrayList<>();
        for (int k = from; k < to; k++) {
          batch.add(inputs.get(order[k]));
        }
        float[][][] hidden = forward(batch);
        for (int k = from; k < to; k++) {
          out[order[k]] = hidden[k - from];
        }
      }
      return out;
    }

    /** One padded forward pass; per input its real-token rows. */
    private float[][][] forward(List<Encoding> batch) {
      int longest = batch.stream().mapToInt(Encoding::length).max().orElseThrow();
      int seq = Math.min(model.config().maxPositionEmbeddings(), roundUp(longest, PAD_MULTIPLE));
      int n = batch.size();
      int[] ids = new int[n * seq];
      int[] types = new int[n * seq];
      int[] mask = new int[n * seq];
      Arrays.fill(ids, padId);
      for (int b = 0; b < n; b++) {
        Encoding e = batch.get(b);
        System.arraycopy(e.inputIds(), 0, ids, b * seq, e.length());
        System.arraycopy(e.typeIds(), 0, types, b * seq, e.length());
        Arrays.fill(mask, b * seq, b * seq + e.length(), 1);
      }
      // [batch, seq, hidden], copied out before the next forward reuses the buffer
      float[] flat = model.forward(new TokenBatch(n, seq, ids, types, mask)).lastHiddenState().reshape(-1)
          .toFloatVector();
      int hidden = model.config().hiddenSize();
      float[][][] out = new float[n][][];
      for (int b = 0; b < n; b++) {
        out[b] = new float[batch.get(b).length()][];
        for (int t = 0; t < out[b].length; t++) {
          int start = (b * seq + t) * hidden;
          out[b][t] = Arrays.copyOfRange(flat, start, start + hidden);
        }
      }
      return out;
    }

    private static int roundUp(int value, int multiple) {
      return (value + multiple - 1) / multiple * multiple;
    }
  }

  /** What one output line holds, from one input's hidden states [tokens][hidden]. */
  enum Pooling {
    CLS, MEAN, NONE;

    /** The output line's JSON object. */
    Map<String, Object> output(float[][] tokens, boolean normalize) {
      return switch (this) {
        case NONE -> Map.of("last_hidden_state", tokens);
        case CLS -> Map.of("embedding", scaled(tokens[0].clone(), normalize));
        case MEAN -> Map.of("embedding", scaled(mean(tokens), normalize));
      };
    }

    private static float[] mean(float[][] tokens) {
      double[] sum = new double[tokens[0].length];
      for (float[] row : tokens) {
        for (int j = 0; j < sum.length; j++) {
          sum[j] += row[j];
        }
      }
      float[] out = new float[sum.length];
      for (int j = 0; j < sum.length; j++) {
        out[j] = (float) (sum[j] / tokens.length);
      }
      return out;
    }

    /** Divides by the L2 norm (at least 1e-12, as torch's {@code F.normalize}) when asked to. */
    private static float[] scaled(float[] v, boolean normalize) {
      if (!normalize) {
        return v;
      }
      double squares = 0;
      for (float x : v) {
        squares += (double) x * x;
      }
      double norm = Math.max(Math.sqrt(squares), 1e-12);
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) (v[j] / norm);
      }
      return v;
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts {@code cls}, {@code mean}, {@code none} in any case. */
    static final class Converter implements CommandLine.ITypeConverter<Pooling> {
      @Override
      public Pooling convert(String value) {
        for (Pooling p : values()) {
          if (p.toString().equalsIgnoreCase(value.trim())) {
            return p;
          }
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not one of cls, mean, none");
      }
    }
  }
}
