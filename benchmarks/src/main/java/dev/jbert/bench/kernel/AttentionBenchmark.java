package dev.jbert.bench.kernel;

import dev.jbert.core.kernel.Attention;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Attention} from the fused QKV projection (bias added in the head split) to the merged
 * context, forward and backward (no dropout), 2,048 tokens as {@code 2048/seq} sequences of
 * {@code seq}, 12 heads of {@code headDim}: {@code kernel} (the float kernels: head split, batched
 * GEMMs cut over threads, fused masked softmax), {@code double} (the same entry on DOUBLE arrays:
 * the reference path), {@code nd4j} ({@link Nd4jAttention}). Backward is timed alone, on the saved
 * tensors of one forward.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 200, timeUnit = TimeUnit.MILLISECONDS)
public class AttentionBenchmark {

  @Param({"32", "64", "128", "256", "512"})
  public int seq;

  @Param({"32", "64"})
  public int headDim;

  @Param({"kernel", "nd4j"})
  public String impl;

  private int heads;
  private INDArray qkv, qkvBias, out, q, k, v, probs, context, maskAdd2d;
  private INDArray dout, dqkv, dqkvBias, dContext, dProbs, dq, dk, dv;
  private double[] maskAdd;

  @Setup
  public void setUp() {
    KernelState.init();
    DataType t = KernelState.dataType(impl);
    heads = KernelState.HEADS;
    int batch = KernelState.TOKENS / seq;
    int hidden = heads * headDim;
    int rows = batch * seq;
    int n = batch * heads;
    qkv = KernelState.randn(t, 1, rows, 3 * hidden);
    qkvBias = KernelState.randn(t, 0.1, 3 * hidden);
    out = Nd4j.zeros(t, rows, hidden);
    q = Nd4j.zeros(t, n, seq, headDim);
    k = Nd4j.zeros(t, n, seq, headDim);
    v = Nd4j.zeros(t, n, seq, headDim);
    probs = Nd4j.zeros(t, n, seq, seq);
    context = Nd4j.zeros(t, n, seq, headDim);
    maskAdd = new double[rows];
    maskAdd2d = Nd4j.zeros(t, batch, seq);
    dout = KernelState.randn(t, 1e-3, rows, hidden);
    dqkv = Nd4j.zeros(t, rows, 3 * hidden);
    dqkvBias = Nd4j.zeros(t, 3 * hidden);
    dContext = Nd4j.zeros(t, n, seq, headDim);
    dProbs = Nd4j.zeros(t, n, seq, seq);
    dq = Nd4j.zeros(t, n, seq, headDim);
    dk = Nd4j.zeros(t, n, seq, headDim);
    dv = Nd4j.zeros(t, n, seq, headDim);
    forward(); // the saved tensors of the backward
  }

  @Benchmark
  public INDArray forward() {
    if (impl.equals("nd4j")) {
      Nd4jAttention.forward(out, q, k, v, probs, context, qkv, qkvBias, maskAdd2d, heads);
    } else {
      Attention.forward(out, q, k, v, probs, null, context, qkv, qkvBias, maskAdd, heads, null);
    }
    return out;
  }

  @Benchmark
  public INDArray backward() {
    if (impl.equals("nd4j")) {
      Nd4jAttention.backward(dqkv, dqkvBias, dContext, dProbs, dq, dk, dv, dout, q, k, v, probs, heads);
    } else {
      Attention.backward(dqkv, dqkvBias, dContext, dProbs, dq, dk, dv, dout, q, k, v, probs, null, heads, null);
    }
    return dqkv;
  }
}
