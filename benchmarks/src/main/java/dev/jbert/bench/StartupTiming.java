package dev.jbert.bench;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.BertModel;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.Encoding;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Start-up time, the cost a CLI call and a server both pay before their first answer:
 * <ul>
 *   <li>{@link #predictFirstAnswer}: {@code bin/jbert predict --model DIR} as a user runs it, one
 *       JSON line on stdin, from process start to its first line of output, and to its exit;</li>
 *   <li>{@link InProcess}: in a fresh JVM, {@code BertModel.fromPretrained} and the first forward
 *       of one tokenised sentence, timed apart, and the second forward (the same input, so the
 *       difference between the two is the first call's warm-up).</li>
 * </ul>
 */
final class StartupTiming {

  /** The sentence both measurements answer (14 tokens with [CLS] and [SEP]). */
  static final String TEXT = "I still have not received my new card, what should I do?";

  private StartupTiming() {}

  /**
   * In-process start-up of a model folder.
   *
   * @param jvmUptimeMs JVM uptime when {@code fromPretrained} was called (the JVM's own start)
   * @param loadMs {@code fromPretrained} (config, weights, buffers)
   * @param firstForwardMs tokenising and the first forward
   * @param secondForwardMs the same again, warm
   */
  record InProcess(double jvmUptimeMs, double loadMs, double firstForwardMs, double secondForwardMs) {

    /** Load plus first forward. */
    double totalMs() {
      return loadMs + firstForwardMs;
    }

    /** Worker: {@code StartupTiming MODEL_DIR} prints the {@link InProcess} of that folder. */
    static InProcess measure(Path dir) throws IOException {
      double uptime = ManagementFactory.getRuntimeMXBean().getUptime();
      long t0 = System.nanoTime();
      Backend.init();
      try (BertModel model = BertModel.fromPretrained(dir, DataType.FLOAT, false)) {
        model.eval();
        model.setGradEnabled(false);
        long t1 = System.nanoTime();
        BertTokenizer tokenizer = BertTokenizer.fromPretrained(dir);
        forward(model, tokenizer);
        long t2 = System.nanoTime();
        forward(model, tokenizer);
        long t3 = System.nanoTime();
        return new InProcess(uptime, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
      }
    }

    private static void forward(BertModel model, BertTokenizer tokenizer) {
      Encoding e = tokenizer.encode(TEXT);
      model.forward(TokenBatch.of(new int[][] {e.inputIds()}, new int[][] {e.typeIds()}, new int[][] {e.attentionMask()}));
    }
  }

  /**
   * {@code jbert predict} timed from outside.
   *
   * @param firstAnswerMs process start to its first line on stdout
   * @param exitMs process start to its exit
   */
  record Predict(double firstAnswerMs, double exitMs) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: StartupTiming MODEL_DIR");
    }
    ChildJvm.printResult(InProcess.measure(Path.of(args[0])));
  }

  /**
   * Runs {@code launcher predict --model dir} with one JSON line on stdin (then end of input, as
   * {@code echo ... | jbert predict}) and times its first answer and its exit.
   *
   * @throws IllegalStateException when it exits non-zero or answers nothing
   */
  static Predict predictFirstAnswer(Path launcher, Path dir) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process p = new ProcessBuilder(launcher.toString(), "predict", "--model", dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(("{\"text\": \"" + TEXT + "\"}\n").getBytes(StandardCharsets.UTF_8));
    }
    String answer;
    long first;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      answer = out.readLine();
      first = System.nanoTime();
      while (out.readLine() != null) {
        // drain
      }
    }
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroy();
      throw new IllegalStateException(launcher + " predict did not exit within 5 minutes");
    }
    long end = System.nanoTime();
    if (p.exitValue() != 0 || answer == null || !answer.contains("\"label\"")) {
      throw new IllegalStateException(launcher + " predict --model " + dir + " failed (exit " + p.exitValue()
          + ", first line: " + answer + ")");
    }
    return new Predict((first - start) / 1e6, (end - start) / 1e6);
  }

  /**
   * A classifier folder for {@code jbert predict} made from a base model folder: its weights with a
   * new 2-label head (N(0, 0.02), as fine-tuning starts; what the head says does not change the
   * time) and its tokenizer files, written into {@code target}.
   */
  static Path classifierFrom(Path baseDir, Path target) throws IOException {
    BertConfig config = BertConfig.load(baseDir.resolve("config.json")).withLabels(List.of("negative", "positive"));
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(baseDir, DataType.FLOAT,
        config)) {
      model.savePretrained(target);
    }
    for (String file : List.of("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
      if (Files.exists(baseDir.resolve(file))) {
        Files.copy(baseDir.resolve(file), target.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return target;
  }
}
