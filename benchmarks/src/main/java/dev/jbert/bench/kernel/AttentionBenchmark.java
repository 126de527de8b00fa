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
 * {@link Attention} from the fused QKV projection to the merged context, forward and backward (no
 * dropout), 2,048 tokens as {@code 2048/seq} sequences of {@code seq}, 12 heads of {@code headDim}:
 * {@code kernel} (the float kernels: batched GEMMs on the heads where the projection holds them, cut
 * over threads, fused masked softmax), {@code double} (the same entry on DOUBLE arrays: the
 * reference path), {@code nd4j} ({@link Nd4jAttention}: heads copied out and back by ND4J ops).
 * Backward is timed alone, on the saved tensors of one forward.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")   // as training runs: vector softmax rows
@Warmup(iterations = 2, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 200, timeUnit = TimeUnit.MILLISECONDS)
public class AttentionBenchmark {

  @Param({"32", "64", "128", "256", "512"})
  public int seq;

  @Param({"32", "64"})
  public int headDim;

  @Param({"kernel", "nd4j"})
  public String impl;

  private AttentionArrays a;
  private INDArray maskAdd2d;
  private INDArray dout, dqkv, dqkvBias, dContext, dProbs, dq, dk, dv;

  @Setup
  public void setUp() {
    KernelState.init();
    DataType t = KernelState.dataType(impl);
    int batch = KernelState.TOKENS / seq;
    a = new AttentionArrays(t, batch, seq, headDim);
    int hidden = a.heads * headDim;
    int rows = batch * seq;
    int n = batch * a.heads;
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
      Nd4jAttention.forward(a.out, a.q, a.k, a.v, a.probs, a.context, a.qkv, a.qkvBias, maskAdd2d, a.heads);
      return a.out;
    }
    return a.forward();
  }

  @Benchmark
  public INDArray backward() {
    if (impl.equals("nd4j")) {
      Nd4jAttention.backward(dqkv, dqkvBias, dContext, dProbs, dq, dk, dv, dout, a.q, a.k, a.v, a.probs, a.heads);
    } else {
      Attention.backward(dqkv, dqkvBias, dProbs, dout, a.qkv, a.probs, null, a.heads, null);
    }
    return dqkv;
  }
}
