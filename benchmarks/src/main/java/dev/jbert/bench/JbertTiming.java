package dev.jbert.bench;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.BertModel;
import dev.jbert.core.BertPreTrainedModel;
import dev.jbert.core.TokenBatch;
import dev.jbert.core.backend.Backend;
import dev.jbert.optim.AdamW;
import dev.jbert.optim.Optimizer;
import dev.jbert.optim.OptimizerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Times a {@link Workload} on jbert in this JVM, the way the PyTorch peer times its own: random
 * weights (Hugging Face's init), random token ids in [1, vocab), no padding, float, dropout on in
 * training, gradients disabled in inference; AdamW lr 2e-5, weight decay 0.01, no clipping (the
 * peer does not clip); warm-up, then the median of the timed runs. Each side computes what its
 * row's peer computes: training steps a {@code BertForSequenceClassification} on the loss of its
 * logits, as the PyTorch peer; MiniLM's inference runs the encoder to every token's last hidden
 * state, the output of ONNX Runtime's export; bert-base's inference, whose peer is PyTorch alone,
 * the classifier to its logits. The classifier computes its last layer for first tokens only
 * (see {@code BertLayer}), which the PyTorch peer computes for every token. Warm-up counts runs,
 * not calls (the peer's 2 calls): batch-1 inference averages 20 calls per run; and it lasts at
 * least {@link #MIN_WARMUP_SECONDS}, the time the JIT needs to compile the Java kernels.
 */
final class JbertTiming {

  private JbertTiming() {}

  /** Runs {@code warmup} untimed and {@code runs} timed runs of {@link Workload#callsPerRun()} calls of {@code w}. */
  static Measurement measure(Workload w, int warmup, int runs) {
    return measure(w, warmup, runs, false);
  }

  /**
   * {@link #measure(Workload, int, int)}, or with {@code onRequest} the timed runs one per request
   * of the parent that alternates this side with its peer ({@link ChildJvm#runsOnRequest}; {@code
   * runs} is then not used).
   */
  static Measurement measure(Workload w, int warmup, int runs, boolean onRequest) {
    Backend.init();
    boolean train = w.mode() == Workload.Mode.TRAIN;
    boolean encoder = w.onnxRuntimeRuns();                              // ONNX Runtime's output
    try (BertPreTrainedModel model = encoder ? new BertModel(w.shape().config(), DataType.FLOAT, false)
        : new BertForSequenceClassification(w.shape().config(), DataType.FLOAT)) {
      Random random = new Random(0);
      TokenBatch batch = randomBatch(random, w.batch(), w.seq(), model.config().vocabSize());
      Step step = train ? new TrainStep((BertForSequenceClassification) model, batch,
          random.ints(w.batch(), 0, model.config().numLabels()).toArray()) : new InferStep(model, batch);
      warmUp(() -> step.run(null), warmup * w.callsPerRun());
      List<double[]> phases = new ArrayList<>();
      DoubleSupplier timedRun = () -> {
        double[] phase = new double[3];
        long start = System.nanoTime();
        for (int c = 0; c < w.callsPerRun(); c++) {
          step.run(phase);
        }
        double ms = (System.nanoTime() - start) / 1e6 / w.callsPerRun();
        for (int p = 0; p < 3; p++) {
          phase[p] /= w.callsPerRun();
        }
        phases.add(phase);
        return ms;
      };
      double[] ms = onRequest ? ChildJvm.runsOnRequest(timedRun) : repeat(timedRun, runs);
      double median = median(ms);
      return new Measurement("jbert", w.toString(), ms.length, median, Arrays.stream(ms).min().orElseThrow(),
          Arrays.stream(ms).max().orElseThrow(), w.batch() / (median / 1e3), w.flops() / (median / 1e3) / 1e9,
          ProcessMemory.peakResidentBytes() / 1e6, train ? medianPhase(phases, 0) : null,
          train ? medianPhase(phases, 1) : null, train ? medianPhase(phases, 2) : null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code runs} calls of {@code timedRun}, their results in order. */
  static double[] repeat(DoubleSupplier timedRun, int runs) {
    double[] ms = new double[runs];
    for (int r = 0; r < runs; r++) {
      ms[r] = timedRun.getAsDouble();
    }
    return ms;
  }

  private static double medianPhase(List<double[]> phases, int p) {
    return median(phases.stream().mapToDouble(phase -> phase[p]).toArray());
  }

  /** One timed call; adds milliseconds per phase (forward, backward, optimizer) to {@code phase} when not null. */
  interface Step {
    void run(double[] phase);
  }

  /** The forward of the encoder or the classifier in eval mode. */
  private record InferStep(BertPreTrainedModel model, TokenBatch batch) implements Step {
    InferStep {
      model.eval();
      model.setGradEnabled(false); // as the peer's torch.inference_mode()
    }

    @Override
    public void run(double[] phase) {
      if (model instanceof BertModel encoder) {
        encoder.forward(batch);
      } else {
        ((BertForSequenceClassification) model).forward(batch);
      }
    }
  }

  /** zero grads, forward, loss | backward | AdamW step, as the peer splits its phases. */
  static final class TrainStep implements Step {
    private final BertForSequenceClassification model;
    private final TokenBatch batch;
    private final int[] labels;
    private final Optimizer optimizer;

    TrainStep(BertForSequenceClassification model, TokenBatch batch, int[] labels) {
      this.model = model;
      this.batch = batch;
      this.labels = labels;
      this.optimizer = new AdamW(model.parameters(), OptimizerConfig.builder().lr(2e-5).weightDecay(0.01)
          .noClipping().build());
      model.train();
    }

    @Override
    public void run(double[] phase) {
      long t0 = System.nanoTime();
      model.parameters().zeroGrad();
      model.forward(batch);
      model.loss(labels);
      long t1 = System.nanoTime();
      model.backward();
      long t2 = System.nanoTime();
      optimizer.step();
      long t3 = System.nanoTime();
      if (phase != null) {
        phase[0] += (t1 - t0) / 1e6;
        phase[1] += (t2 - t1) / 1e6;
        phase[2] += (t3 - t2) / 1e6;
      }
    }
  }

  /** Token ids uniform in [1, vocab), token types 0, no padding. */
  static TokenBatch randomBatch(Random random, int batch, int seq, int vocab) {
    return TokenBatch.of(randomIds(random, batch, seq, vocab), null, null);
  }

  /** The ids of {@link #randomBatch}, as [batch][seq] (the ONNX Runtime peer draws the same). */
  static int[][] randomIds(Random random, int batch, int seq, int vocab) {
    int[][] ids = new int[batch][seq];
    for (int[] row : ids) {
      for (int j = 0; j < seq; j++) {
        row[j] = 1 + random.nextInt(vocab - 1);
      }
    }
    return ids;
  }

  /**
   * Least warm-up of every side, in seconds of calls. The JIT compiles a method called a dozen times
   * per forward only after about a thousand forwards: MiniLM 1x32 inference on the AMD EPYC took
   * 7.4 ms a call after 2 warm-up runs (40 calls), 5.4 ms after 500 calls, 4.3 ms after 1,000 and
   * 4.5 ms after 3,000, so runs alone timed the compiler, not the kernels, at batch 1.
   */
  static final double MIN_WARMUP_SECONDS = 10;

  /** Calls {@code call} {@code calls} times, then on until {@link #MIN_WARMUP_SECONDS} have passed. */
  static <E extends Exception> void warmUp(Call<E> call, int calls) throws E {
    long until = System.nanoTime() + (long) (MIN_WARMUP_SECONDS * 1e9);
    for (int i = 0; i < calls || System.nanoTime() < until; i++) {
      call.run();
    }
  }

  /** One untimed call of a side. */
  interface Call<E extends Exception> {
    void run() throws E;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
