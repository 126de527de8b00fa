package dev.jbert.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * Encode throughput of jbert's {@link BertTokenizer} beside the Hugging Face tokenizers library
 * itself (Rust, through DJL), single thread, on the Banking77 training texts, in the same run.
 *
 * <p>First checks that both give identical ids, type ids, attention masks and tokens on every text
 * and reports any mismatch; then warms both up and times alternating passes over all texts, one
 * {@code encode(text)} call per text on each side, and again in batches of 32, and prints the
 * medians as tokens per second (special tokens included) and their ratio. The HF side is what a
 * JVM program gets from the library: the Rust tokenizer plus DJL's JNI transfer of each encoding.
 *
 * <p>Run from the project root with the {@code bench} profile of {@code benchmarks/pom.xml}, which
 * builds what is needed and starts this class in its own JVM (with {@code TOKENIZERS_PARALLELISM=false}):
 *
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests -Pbench -Dbench.class=dev.jbert.bench.TokenizerThroughput \
 *     -Dbench.args="--passes 9"
 * </pre>
 *
 * {@code TOKENIZERS_PARALLELISM=false} keeps the Rust library's batches on one thread, like jbert's.
 *
 * Options: {@code --data CSV} (default {@code ../shared/data/banking77/train.csv}), {@code --model DIR}
 * (default {@code ../shared/models/all-MiniLM-L6-v2}), {@code --warmup N} (5), {@code --passes N} (9),
 * {@code --unicode-sweep} (also compare the two on every Unicode code point in a few contexts).
 */
public final class TokenizerThroughput {

  /** Texts per batch in the batch rows: a typical training batch. */
  private static final int BATCH = 32;

  private TokenizerThroughput() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of("../shared/data/banking77/train.csv");
    Path model = Path.of("../shared/models/all-MiniLM-L6-v2");
    int warmup = 5;
    int passes = 9;
    boolean sweep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--model" -> model = Path.of(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--passes" -> passes = Integer.parseInt(args[++i]);
        case "--unicode-sweep" -> sweep = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (options: --data CSV, --model DIR, --warmup N, --passes N, --unicode-sweep)");
      }
    }
    if (!Files.exists(data) || !Files.isDirectory(model)) {
      throw new IllegalArgumentException("data " + data.toAbsolutePath() + " or model " + model.toAbsolutePath()
          + " not found; run from the project root with ../shared beside it, or pass --data and --model");
    }
    List<String> texts = FirstCsvColumn.read(data);
    BertTokenizer jbert = BertTokenizer.fromPretrained(model);
    try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder()
        .optTokenizerPath(model).optAddSpecialTokens(true).optTruncation(false).optPadding(false).build()) {
      Rates rates = measure(texts, jbert, hf, warmup, passes);
      long tokens = rates.tokensPerPass();
      double jbertRate = rates.jbertPerS();
      double hfRate = rates.hfPerS();
      double jbertBatchRate = rates.jbertBatchPerS();
      double hfBatchRate = rates.hfBatchPerS();
      System.out.printf(Locale.ROOT, "%n%d texts, %d tokens per pass, median of %d passes after %d warm-up passes,"
          + " 1 thread%n", texts.size(), tokens, passes, warmup);
      System.out.printf(Locale.ROOT, "| calls                   | jbert tokens/s | HF tokens/s | ratio  |%n");
      System.out.printf(Locale.ROOT, "|-------------------------|----------------|-------------|--------|%n");
      row("encode(text)", jbertRate, hfRate);
      row("encodeBatch(" + BATCH + " texts)", jbertBatchRate, hfBatchRate);
      System.out.printf(Locale.ROOT, "HF: tokenizers %s via DJL; its batches run on %s%n", hf.getVersion(),
          "false".equals(System.getenv("TOKENIZERS_PARALLELISM"))
              ? "one thread (TOKENIZERS_PARALLELISM=false)"
              : "all cores (set TOKENIZERS_PARALLELISM=false for one thread)");
      if (sweep) {
        UnicodeSweep.run(jbert, hf);
      }
    }
  }

  /**
   * Tokens per second of each side, one thread, median of the passes.
   *
   * @param texts how many texts a pass encodes
   * @param tokensPerPass tokens of a pass (special tokens included)
   * @param mismatches texts whose ids, type ids, masks or tokens differ between the two
   * @param jbertPerS one {@code encode(text)} call per text
   * @param jbertBatchPerS {@code encodeBatch} of 32 texts
   */
  record Rates(int texts, long tokensPerPass, int mismatches, int passes, double jbertPerS, double hfPerS,
      double jbertBatchPerS, double hfBatchPerS) {}

  /**
   * Checks both sides agree on every text, warms both up, then times alternating passes over all
   * texts (so that machine noise hits both alike), one call per text and in batches of 32.
   */
  static Rates measure(List<String> texts, BertTokenizer jbert, HuggingFaceTokenizer hf, int warmup, int passes) {
    int[] mismatches = new int[1];
    long tokens = compare(texts, jbert, hf, mismatches);
    ToLongFunction<String> jbertEncode = text -> checksum(jbert.encode(text).inputIds());
    ToLongFunction<String> hfEncode = text -> checksum(hf.encode(text).getIds());
    for (int i = 0; i < warmup; i++) {
      pass(texts, jbertEncode);
      pass(texts, hfEncode);
    }
    List<List<String>> batches = batches(texts, BATCH);
    ToLongFunction<List<String>> jbertBatch = batch -> checksum(jbert.encodeBatch(batch, EncodeOptions.DEFAULT));
    ToLongFunction<List<String>> hfBatch = batch -> checksum(hf.batchEncode(batch));
    for (int i = 0; i < warmup; i++) {
      pass(batches, jbertBatch);
      pass(batches, hfBatch);
    }
    long[][] nanos = new long[4][passes];
    for (int p = 0; p < passes; p++) {
      nanos[0][p] = pass(texts, jbertEncode);
      nanos[1][p] = pass(texts, hfEncode);
      nanos[2][p] = pass(batches, jbertBatch);
      nanos[3][p] = pass(batches, hfBatch);
    }
    return new Rates(texts.size(), tokens, mismatches[0], passes, tokens / (median(nanos[0]) / 1e9),
        tokens / (median(nanos[1]) / 1e9), tokens / (median(nanos[2]) / 1e9), tokens / (median(nanos[3]) / 1e9));
  }

  /** Compares every text; prints mismatches (counted into mismatches[0]); returns the tokens per pass (jbert's count). */
  private static long compare(List<String> texts, BertTokenizer jbert, HuggingFaceTokenizer hf, int[] mismatchCount) {
    long tokens = 0;
    int mismatches = 0;
    for (String text : texts) {
      Encoding mine = jbert.encode(text);
      ai.djl.huggingface.tokenizers.Encoding theirs = hf.encode(text);
      tokens += mine.length();
      boolean same = Arrays.equals(mine.inputIds(), toInts(theirs.getIds()))
          && Arrays.equals(mine.typeIds(), toInts(theirs.getTypeIds()))
          && Arrays.equals(mine.attentionMask(), toInts(theirs.getAttentionMask()))
          && Arrays.equals(mine.tokens(), theirs.getTokens());
      if (!same && mismatches++ < 10) {
        System.out.println("MISMATCH " + text + "\n  jbert " + Arrays.toString(mine.tokens())
            + "\n  HF    " + Arrays.toString(theirs.getTokens()));
      }
    }
    System.out.printf(Locale.ROOT, "verified %d texts: %d mismatches in ids, type ids, attention masks or tokens%n",
        texts.size(), mismatches);
    mismatchCount[0] = mismatches;
    return tokens;
  }

  private static void row(String calls, double jbertRate, double hfRate) {
    System.out.printf(Locale.ROOT, "| %-23s | %14.0f | %11.0f | %5.2fx |%n",
        calls, jbertRate, hfRate, jbertRate / hfRate);
  }

  private static <T> long pass(List<T> inputs, ToLongFunction<T> encode) {
    long sum = 0;
    long start = System.nanoTime();
    for (T input : inputs) {
      sum += encode.applyAsLong(input);
    }
    long nanos = System.nanoTime() - start;
    if (sum == 42) { // keeps the JIT from discarding the work; practically never true
      System.out.println("checksum " + sum);
    }
    return nanos;
  }

  private static long checksum(List<Encoding> batch) {
    return batch.size() + checksum(batch.get(batch.size() - 1).inputIds());
  }

  private static long checksum(ai.djl.huggingface.tokenizers.Encoding[] batch) {
    return batch.length + checksum(batch[batch.length - 1].getIds());
  }

  private static List<List<String>> batches(List<String> texts, int size) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < texts.size(); i += size) {
      out.add(texts.subList(i, Math.min(texts.size(), i + size)));
    }
    return out;
  }

  private static long checksum(int[] ids) {
    return ids.length + ids[ids.length / 2];
  }

  private static long checksum(long[] ids) {
    return ids.length + ids[ids.length / 2];
  }

  static int[] toInts(long[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Math.toIntExact(values[i]);
    }
    return out;
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  }

  /** Compares the two tokenizers on every code point in a few contexts (about a minute per model). */
  static final class UnicodeSweep {
    private static final String[] CONTEXTS = {"X", "aXa", "Xx X", "XX"};

    private UnicodeSweep() {}

    static void run(BertTokenizer jbert, HuggingFaceTokenizer hf) {
      long checked = 0;
      int mismatches = 0;
      for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
        if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
          continue; // not a character: a Java string can hold one, a Rust string cannot
        }
        String c = Character.toString(cp);
        for (String context : CONTEXTS) {
          String text = context.replace("X", c);
          Encoding mine = jbert.encode(text);
          ai.djl.huggingface.tokenizers.Encoding theirs = hf.encode(text);
          checked++;
          if (!Arrays.equals(mine.inputIds(), toInts(theirs.getIds())) && mismatches++ < 20) {
            System.out.printf(Locale.ROOT, "MISMATCH U+%04X in \"%s\": jbert %s, HF %s%n", cp, context,
                Arrays.toString(mine.tokens()), Arrays.toString(theirs.getTokens()));
          }
        }
      }
      System.out.printf(Locale.ROOT, "unicode sweep: %d texts, %d mismatches%n", checked, mismatches);
    }
  }

  /** The first column of a CSV file with a header row (RFC 4180 quoting). */
  static final class FirstCsvColumn {
    private FirstCsvColumn() {}

    static List<String> read(Path file) throws IOException {
      String csv = Files.readString(file, StandardCharsets.UTF_8);
      List<String> column = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      boolean quoted = false;
      boolean firstField = true;
      boolean header = true;
      for (int i = 0; i < csv.length(); i++) {
        char c = csv.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            field.append(c);
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == ',' || c == '\n') {
          if (firstField && !header) {
            column.add(field.toString());
          }
          field.setLength(0);
          firstField = c == '\n';
          header &= c != '\n';
        } else if (c != '\r') {
          field.append(c);
        }
      }
      if (firstField && !header && field.length() > 0) { // last line without a line break
        column.add(field.toString());
      }
      if (column.isEmpty()) {
        throw new IOException(file + ": no rows");
      }
      return column;
    }
  }
}
