package dev.jbert.core.nn;

import dev.jbert.core.kernel.Flat;
import static dev.jbert.core.nn.FiniteDifferences.random;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.param.Parameters;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * FLOAT models run float twins of the hot kernels (LayerNorm, GELU, softmax, head split/merge,
 * dropout); the finite-difference tests check the double versions. Here each twin must agree with
 * its double kernel on the same inputs, forward and backward, parameter gradients included.
 */
class FloatTwinTest {

  private static final double TOL = 2e-5; // scaled by the largest value: float rounding plus the float exp's 8e-6

  /** One layer built in both precisions from the same double parameters. */
  private record Twin<L>(Parameters p64, Parameters p32, L layer64, L layer32) {}

  private static <L> Twin<L> twin(Parameters.Builder layout, long seed, Function<Parameters, L> build) {
    Parameters p64 = layout.build(DataType.DOUBLE);
    FiniteDifferences.randomize(p64, seed, 0.5);
    Parameters p32 = layout.build(DataType.FLOAT);
    p32.values().assign(p64.values().castTo(DataType.FLOAT));
    return new Twin<>(p64, p32, build.apply(p64), build.apply(p32));
  }

  private static void assertAgree(String what, INDArray a64, INDArray a32) {
    double[] x = Flat.of(a64).toArray();
    double[] y = Flat.of(a32).toArray();
    double maxDiff = 0;
    double maxRef = 0;
    for (int i = 0; i < x.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
      maxRef = Math.max(maxRef, Math.abs(x[i]));
    }
    assertTrue(maxDiff <= TOL * maxRef, what + ": float twin differs by " + maxDiff + " (scale " + maxRef + ")");
  }

  private static INDArray f32(INDArray a) {
    return a.castTo(DataType.FLOAT);
  }

  @Test
  void layerNorm() {
    try (Buffers b64 = new Buffers(DataType.DOUBLE); Buffers b32 = new Buffers(DataType.FLOAT)) {
      Twin<Ops.LayerNormOp> t = twin(Parameters.builder().add("ln.weight", 384).add("ln.bias", 384), 1,
          p -> Ops.LayerNormOp.of(p, "ln", 1e-12, p.dataType() == DataType.DOUBLE ? b64 : b32, 33));
      INDArray x = random(2, 3.0, 33, 384);
      INDArray r = random(3, 1.0, 33, 384);
      INDArray dy = random(4, 1.0, 33, 384);
      assertAgree("forward", t.layer64.forward(x, r), t.layer32.forward(f32(x), f32(r)));
      assertAgree("backward", t.layer64.backward(dy), t.layer32.backward(f32(dy)));
      assertAgree("gamma grad", t.p64.grad("ln.weight"), t.p32.grad("ln.weight"));
      assertAgree("beta grad", t.p64.grad("ln.bias"), t.p32.grad("ln.bias"));
    }
  }

  @Test
  void gelu() {
    try (Buffers b64 = new Buffers(DataType.DOUBLE); Buffers b32 = new Buffers(DataType.FLOAT)) {
      Ops.ActivationOp g64 = new Ops.ActivationOp("gelu", b64, 40, 300);
      Ops.ActivationOp g32 = new Ops.ActivationOp("gelu", b32, 40, 300);
      INDArray x = random(5, 3.0, 40, 300);
      INDArray dy = random(6, 1.0, 40, 300);
      assertAgree("forward", g64.forward(x), g32.forward(f32(x)));
      assertAgree("backward", g64.backward(dy), g32.backward(f32(dy)));
    }
  }

  @Test
  void selfAttentionWithMaskAndDropout() {
    int batch = 3;
    int seq = 9;
    int hidden = 24;
    TrainingMode mode = new TrainingMode(1);
    mode.setTraining(true);
    dev.jbert.core.config.BertConfig c = Built.config(hidden, 4, hidden, 0.0, 0.2);
    try (Buffers b64 = new Buffers(DataType.DOUBLE); Buffers b32 = new Buffers(DataType.FLOAT)) {
      Built.SelfAttention a64 = new Built.SelfAttention("a", c, mode, b64, DataType.DOUBLE, 7, 0.5, batch, seq);
      Built.SelfAttention a32 = new Built.SelfAttention("a", c, mode, b32, DataType.FLOAT, 7, 0.5, batch, seq);
      Twin<Built.SelfAttention> t = new Twin<>(a64.p, a32.p, a64, a32);
      double[] mask = new double[batch * seq];
      for (int s = 5; s < seq; s++) {
        mask[seq + s] = dev.jbert.core.kernel.Attention.MASK_VALUE;
      }
      INDArray x = random(8, 1.0, batch * seq, hidden);
      INDArray dy = random(9, 1.0, batch * seq, hidden);
      mode.reseed(3);
      INDArray y64 = t.layer64.forward(x, mask).dup();
      mode.reseed(3);
      assertAgree("forward", y64, t.layer32.forward(f32(x), mask));
      assertAgree("backward", t.layer64.backward(dy), t.layer32.backward(f32(dy)));
      for (String name : t.p64.names()) {
        if (name.equals("a.key.bias")) {
          // zero in exact arithmetic (softmax ignores a shift shared by all keys): roundoff only
          double bound = 1e-5 * t.p64.grads().amaxNumber().doubleValue();
          assertTrue(t.p32.grad(name).amaxNumber().doubleValue() <= bound, "key bias gradient is roundoff");
        } else {
          assertAgree(name + " grad", t.p64.grad(name), t.p32.grad(name));
        }
      }
    }
  }

  @Test
  void dropout() {
    TrainingMode mode = new TrainingMode(1);
    mode.setTraining(true);
    try (Buffers b64 = new Buffers(DataType.DOUBLE); Buffers b32 = new Buffers(DataType.FLOAT)) {
      Ops.DropoutOp d64 = new Ops.DropoutOp(0.3, mode, b64, 20, 700);
      Ops.DropoutOp d32 = new Ops.DropoutOp(0.3, mode, b32, 20, 700);
      INDArray x = random(10, 1.0, 20, 700);
      INDArray dy = random(11, 1.0, 20, 700);
      mode.reseed(5);
      INDArray y64 = d64.forward(x).dup();
      mode.reseed(5);
      assertAgree("forward (same mask)", y64, d32.forward(f32(x)));
      assertAgree("backward", d64.backward(dy), d32.backward(f32(dy)));
    }
  }

  /** A whole block in training mode: the dropouts fused into the softmax and LayerNorm kernels, float against double. */
  @Test
  void bertLayerWithDropoutInTraining() {
    dev.jbert.core.config.BertConfig c = dev.jbert.core.config.BertConfig.builder().vocabSize(10).hiddenSize(64).numHiddenLayers(1)
        .numAttentionHeads(4).intermediateSize(96).maxPositionEmbeddings(16).hiddenDropoutProb(0.3)
        .attentionProbsDropoutProb(0.3).build();
    TrainingMode mode64 = new TrainingMode(7);
    TrainingMode mode32 = new TrainingMode(7);
    mode64.setTraining(true);
    mode32.setTraining(true);
    try (Buffers b64 = new Buffers(DataType.DOUBLE); Buffers b32 = new Buffers(DataType.FLOAT)) {
      Built.Layer l64 = new Built.Layer("layer", c, mode64, b64, DataType.DOUBLE, 9, 0.5, 3, 16);
      Built.Layer l32 = new Built.Layer("layer", c, mode32, b32, DataType.FLOAT, 9, 0.5, 3, 16);
      Twin<Built.Layer> t = new Twin<>(l64.p, l32.p, l64, l32);
      double[] mask = new double[48];
      mask[47] = dev.jbert.core.kernel.Attention.MASK_VALUE;
      INDArray x = random(10, 1.0, 48, 64);
      INDArray dy = random(11, 1.0, 48, 64);
      assertAgree("forward", t.layer64.forward(x, mask), t.layer32.forward(f32(x), mask));
      assertAgree("backward", t.layer64.backward(dy), t.layer32.backward(f32(dy)));
      assertAgree("parameter gradients", t.p64.grads(), t.p32.grads());
    }
  }
}
