package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.param.Parameters;
import java.util.Random;
import java.util.function.LongToDoubleFunction;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@link AdamW} and {@link Adam} against {@link ScalarAdam}, the SOURCE.md pseudo-code over
 * {@code double[]}, for several steps with clipping, schedules, groups, freezing and LLRD. The
 * per-element settings of the scalar side are written out here from the names, not taken from
 * {@link ParamGroups}.
 */
class AdamAgainstScalarTest {

  private static final double DOUBLE_RTOL = 1e-12;

  /** HF rule, written out independently: decay unless the name says bias or LayerNorm. */
  private static double hfDecay(String name, double wd) {
    return name.contains("bias") || name.contains("LayerNorm") ? 0.0 : wd;
  }

  /** LLRD for the 2-layer tiny layout: embeddings d^3, layer 0 d^2, layer 1 d, pooler/classifier 1. */
  private static double llrd(String name, double d) {
    if (name.startsWith("bert.embeddings.")) {
      return d * d * d;
    }
    if (name.startsWith("bert.encoder.layer.0.")) {
      return d * d;
    }
    if (name.startsWith("bert.encoder.layer.1.")) {
      return d;
    }
    return 1.0;
  }

  /** Runs both sides for {@code steps} steps on the same random gradients and compares everything. */
  private static void compare(OptimizerConfig config, ScalarAdam.Decay decay, DataType dt, Predicate<String> frozen,
      double llrdDecay, LongToDoubleFunction schedule, int steps, double rtol) {
    compare(TinyLayout.random(dt, 42), config, decay, frozen, llrdDecay, schedule, steps, rtol);
  }

  private static void compare(Parameters params, OptimizerConfig config, ScalarAdam.Decay decay, Predicate<String> frozen,
      double llrdDecay, LongToDoubleFunction schedule, int steps, double rtol) {
    AdamBase opt = decay == ScalarAdam.Decay.DECOUPLED ? new AdamW(params, config) : new Adam(params, config);
    double[] trainableD = TinyLayout.perElement(params, n -> frozen.test(n) ? 0 : 1);
    boolean[] trainable = new boolean[trainableD.length];
    for (int i = 0; i < trainable.length; i++) {
      trainable[i] = trainableD[i] == 1;
    }
    ScalarAdam ref = new ScalarAdam(TinyLayout.values(params), trainable,
        TinyLayout.perElement(params, n -> hfDecay(n, config.weightDecay())),
        TinyLayout.perElement(params, n -> llrd(n, llrdDecay)),
        decay, config.lr(), config.beta1(), config.beta2(), config.eps(), config.maxGradNorm(), schedule);

    Random rnd = new Random(7);
    for (int t = 1; t <= steps; t++) {
      // alternate small and large gradients so that clipping acts on some steps only
      double[] g = TinyLayout.gradient(params, rnd, t % 2 == 0 ? 3.0 : 0.02);
      TinyLayout.set(params, g, true);
      StepResult r = opt.step();
      ScalarAdam.Result e = ref.step(g);

      String at = "step " + t;
      assertEquals(t, r.step(), at);
      assertEquals(e.lr(), r.lr(), 1e-15 * Math.abs(e.lr()), at + " lr");
      assertEquals(e.norm(), r.gradNorm(), rtol * e.norm(), at + " norm");
      assertEquals(e.coef(), r.clipCoef(), rtol, at + " clip coef");
      TinyLayout.assertClosePerTensor(params, ref.p, TinyLayout.values(params), rtol, at + " values");
      for (String name : params.names()) {
        if (!frozen.test(name)) {
          int off = (int) params.offset(name);
          int n = (int) params.numel(name);
          assertMomentsClose(ref, opt, name, off, n, rtol, at);
        }
      }
      params.zeroGrad();
    }
  }

  private static void assertMomentsClose(ScalarAdam ref, AdamBase opt, String name, int off, int n, double rtol, String at) {
    double[] m = opt.expAvg(name).reshape(n).toDoubleVector();
    double[] v = opt.expAvgSq(name).reshape(n).toDoubleVector();
    double maxM = 0;
    double maxV = 0;
    double dm = 0;
    double dv = 0;
    for (int i = 0; i < n; i++) {
      maxM = Math.max(maxM, Math.abs(ref.m[off + i]));
      maxV = Math.max(maxV, Math.abs(ref.v[off + i]));
      dm = Math.max(dm, Math.abs(m[i] - ref.m[off + i]));
      dv = Math.max(dv, Math.abs(v[i] - ref.v[off + i]));
    }
    org.junit.jupiter.api.Assertions.assertTrue(dm <= rtol * maxM, at + " exp_avg " + name + ": " + dm);
    org.junit.jupiter.api.Assertions.assertTrue(dv <= rtol * maxV, at + " exp_avg_sq " + name + ": " + dv);
  }

  /** HF linear warm-up/decay, written out. */
  private static LongToDoubleFunction linear(long warmup, long total) {
    return s -> s < warmup ? (double) s / Math.max(1, warmup) : Math.max(0.0, (double) (total - s) / Math.max(1, total - warmup));
  }

  @Test
  void adamwWithHfGroupsClippingAndLinearSchedule() {
    OptimizerConfig config = OptimizerConfig.builder().lr(1e-2).weightDecay(0.05).maxGradNorm(1.0)
        .schedule(LrSchedule.linearWithWarmup(2, 8)).build();
    compare(config, ScalarAdam.Decay.DECOUPLED, DataType.DOUBLE, n -> false, 1.0, linear(2, 8), 6, DOUBLE_RTOL);
  }

  @Test
  void adamwWithFrozenBottomLlrdAndCosine() {
    OptimizerConfig config = OptimizerConfig.builder().lr(3e-2).weightDecay(0.1).maxGradNorm(0.5)
        .freeze(NameFilter.embeddingsAndLowerLayers(1)).layerwiseLrDecay(0.7)
        .schedule(LrSchedule.cosineWithWarmup(1, 5)).betas(0.8, 0.99).eps(1e-6).build();
    LongToDoubleFunction cosine = s -> s < 1 ? s : Math.max(0, 0.5 * (1 + Math.cos(Math.PI * (s - 1) / 4.0)));
    Predicate<String> frozen = n -> n.startsWith("bert.embeddings.") || n.startsWith("bert.encoder.layer.0.");
    compare(config, ScalarAdam.Decay.DECOUPLED, DataType.DOUBLE, frozen, 0.7, cosine, 5, DOUBLE_RTOL);
  }

  @Test
  void adamwWithFrozenTensorsInsideTheSpanAndNoClipping() {
    // Freezing layer 1's query leaves a frozen hole between trainable tensors.
    OptimizerConfig config = OptimizerConfig.builder().lr(1e-2).weightDecay(0.01).noClipping()
        .freeze(NameFilter.regex("layer\\.1\\.attention\\.self\\.query|^bert\\.embeddings\\.word")).build();
    Predicate<String> frozen = n -> n.contains("layer.1.attention.self.query") || n.startsWith("bert.embeddings.word");
    compare(config, ScalarAdam.Decay.DECOUPLED, DataType.DOUBLE, frozen, 1.0, s -> 1.0, 4, DOUBLE_RTOL);
  }

  @Test
  void adamWithCoupledL2LlrdAndConstantWarmup() {
    OptimizerConfig config = OptimizerConfig.builder().lr(2e-2).weightDecay(0.1).maxGradNorm(2.0)
        .layerwiseLrDecay(0.5).schedule(LrSchedule.constantWithWarmup(3))
        .freeze(NameFilter.prefixes("bert.encoder.layer.0.output.")).build();
    Predicate<String> frozen = n -> n.startsWith("bert.encoder.layer.0.output.");
    LongToDoubleFunction warm = s -> s < 3 ? s / 3.0 : 1.0;
    compare(config, ScalarAdam.Decay.L2, DataType.DOUBLE, frozen, 0.5, warm, 6, DOUBLE_RTOL);
  }

  @Test
  void spansLongerThanOneBlockAreUpdatedBlockByBlock() {
    // 2.4M elements = 3 blocks; a frozen tensor straddles the first block boundary
    Parameters.Builder b = Parameters.builder();
    b.add("bert.embeddings.word_embeddings.weight", 1000, 1000);
    b.add("bert.encoder.layer.0.output.dense.weight", 100, 1000);
    b.add("bert.encoder.layer.0.output.dense.bias", 1000);
    b.add("bert.encoder.layer.1.output.dense.weight", 1200, 1000);
    b.add("classifier.weight", 3, 1000);
    b.add("classifier.bias", 3);
    Parameters params = b.build(DataType.DOUBLE);
    TinyLayout.set(params, TinyLayout.gradient(params, new Random(9), 0.5), false);
    assertTrue(params.size() > 2L * AdamBase.BLOCK && params.offset("bert.encoder.layer.0.output.dense.weight") < AdamBase.BLOCK);
    Predicate<String> frozen = n -> n.startsWith("bert.encoder.layer.0.output.dense.weight");
    OptimizerConfig adamw = OptimizerConfig.builder().lr(1e-2).weightDecay(0.05).maxGradNorm(100.0)
        .layerwiseLrDecay(0.8).freeze(NameFilter.prefixes("bert.encoder.layer.0.output.dense.weight")).build();
    compare(params, adamw, ScalarAdam.Decay.DECOUPLED, frozen, 0.8, s -> 1.0, 3, DOUBLE_RTOL);
  }

  @Test
  void floatParametersFollowTheDoubleReferenceToFloatPrecision() {
    OptimizerConfig config = OptimizerConfig.builder().lr(1e-2).weightDecay(0.05).maxGradNorm(1.0)
        .schedule(LrSchedule.linearWithWarmup(1, 6)).layerwiseLrDecay(0.9).build();
    compare(config, ScalarAdam.Decay.DECOUPLED, DataType.FLOAT, n -> false, 0.9, linear(1, 6), 5, 1e-5);
    compare(config, ScalarAdam.Decay.L2, DataType.FLOAT, n -> false, 0.9, linear(1, 6), 5, 1e-5);
  }
}
