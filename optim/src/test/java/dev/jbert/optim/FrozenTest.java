package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.param.Parameters;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Frozen tensors stay bit-identical through AdamW and Adam, even with NaN or huge gradients. */
class FrozenTest {

  private static long[] bits(Parameters params, String name) {
    double[] v = params.value(name).reshape(params.numel(name)).toDoubleVector();
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Double.doubleToRawLongBits(v[i]);
    }
    return out;
  }

  private static void runWithPoisonedFrozenGrads(DataType dt, boolean adamw) {
    Parameters params = TinyLayout.random(dt, 11);
    // layer 0's query sits between trainable tensors (inside the span); the word embeddings before it
    NameFilter freeze = NameFilter.prefixes("bert.embeddings.word_embeddings.", "bert.encoder.layer.0.attention.");
    params.value("bert.encoder.layer.0.attention.self.query.bias").putScalar(0, -0.0);
    OptimizerConfig config = OptimizerConfig.builder().lr(0.05).weightDecay(0.1).layerwiseLrDecay(0.8)
        .freeze(freeze).schedule(LrSchedule.linearWithWarmup(1, 10)).build();
    Optimizer opt = adamw ? new AdamW(params, config) : new Adam(params, config);
    String[] frozen = {"bert.embeddings.word_embeddings.weight", "bert.encoder.layer.0.attention.self.query.weight",
        "bert.encoder.layer.0.attention.self.query.bias"};
    long[][] before = new long[frozen.length][];
    for (int i = 0; i < frozen.length; i++) {
      before[i] = bits(params, frozen[i]);
    }
    double[] trainableBefore = params.value("classifier.weight").reshape(12).toDoubleVector();

    Random rnd = new Random(3);
    for (int t = 0; t < 4; t++) {
      TinyLayout.set(params, TinyLayout.gradient(params, rnd, 0.5), true);
      params.grad(frozen[0]).putScalar(0, Double.NaN);
      params.grad(frozen[1]).putScalar(3, Double.NaN);
      params.grad(frozen[2]).assign(Double.POSITIVE_INFINITY);
      StepResult r = opt.step();
      assertTrue(Double.isFinite(r.gradNorm()), "frozen NaN/inf leaked into the norm: " + r);
      params.zeroGrad();
    }
    for (int i = 0; i < frozen.length; i++) {
      assertArrayEquals(before[i], bits(params, frozen[i]), frozen[i] + " changed (" + dt + ", adamw=" + adamw + ")");
    }
    double[] trainableAfter = params.value("classifier.weight").reshape(12).toDoubleVector();
    for (int i = 0; i < trainableAfter.length; i++) {
      assertTrue(Double.isFinite(trainableAfter[i]) && trainableAfter[i] != trainableBefore[i], "classifier.weight did not train");
    }
    AdamBase base = (AdamBase) opt;
    assertThrows(IllegalArgumentException.class, () -> base.expAvg(frozen[1]));
  }

  @Test
  void adamwLeavesFrozenBitIdentical() {
    runWithPoisonedFrozenGrads(DataType.DOUBLE, true);
    runWithPoisonedFrozenGrads(DataType.FLOAT, true);
  }

  @Test
  void adamLeavesFrozenBitIdentical() {
    runWithPoisonedFrozenGrads(DataType.DOUBLE, false);
    runWithPoisonedFrozenGrads(DataType.FLOAT, false);
  }
}
