package dev.jbert.bench.kernel;

import dev.jbert.core.kernel.FusedAttention;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * Attention's forward for inference, FLOAT, 12 heads of {@code headDim}, from the fused QKV
 * projection to the merged context: {@code batched} ({@link dev.jbert.core.kernel.Attention#forward}, which keeps the
 * split heads and the probabilities for a backward) against {@code fused} ({@link FusedAttention}),
 * for one sequence of {@code seq} tokens ({@code batch=1}) and for 2,048 tokens as {@code 2048/seq}
 * sequences ({@code batch=fill}). The fused kernel needs the Vector API on 16-float vectors: JMH's
 * fork is started with {@code --add-modules jdk.incubator.vector}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
public class InferenceAttentionBenchmark {

  @Param({"32", "64", "128", "256", "512"})
  public int seq;

  @Param({"32", "64"})
  public int headDim;

  @Param({"1", "fill"})
  public String batch;

  @Param({"batched", "fused"})
  public String impl;

  private AttentionArrays a;

  @Setup
  public void setUp() {
    KernelState.init();
    int sequences = batch.equals("1") ? 1 : Math.max(1, KernelState.TOKENS / seq);
    a = new AttentionArrays(DataType.FLOAT, sequences, seq, headDim);
    if (impl.equals("fused") && !FusedAttention.supports(DataType.FLOAT, headDim)) {
      throw new IllegalStateException("the fused attention does not run here (it needs the Vector API on 16-float "
          + "vectors, AVX-512)");
    }
  }

  @Benchmark
  public INDArray forward() {
    if (impl.equals("fused")) {
      FusedAttention.forward(a.out, a.qkv, a.qkvBias, a.maskAdd, a.heads, a.seq);
      return a.out;
    }
    return a.forward();
  }
}
