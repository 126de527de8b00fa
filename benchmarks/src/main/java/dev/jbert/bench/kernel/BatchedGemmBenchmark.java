package dev.jbert.bench.kernel;

import dev.jbert.core.kernel.Gemm;
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
 * The batched GEMMs of attention heads, scores {@code S = Q Kᵀ} over [batch·12, seq, headDim]
 * (2,048 tokens): {@code kernel} ({@link Gemm#batched}, the batch cut over threads when the product
 * is large enough) against {@code nd4j} (one rank-3 {@code Nd4j.matmul}, which ND4J runs on one
 * thread at these sizes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 200, timeUnit = TimeUnit.MILLISECONDS)
public class BatchedGemmBenchmark {

  @Param({"32", "128", "512"})
  public int seq;

  @Param({"64"})
  public int headDim;

  @Param({"kernel", "nd4j"})
  public String impl;

  private INDArray q, k, scores;

  @Setup
  public void setUp() {
    KernelState.init();
    int n = KernelState.TOKENS / seq * KernelState.HEADS;
    q = KernelState.randn(DataType.FLOAT, 1, n, seq, headDim);
    k = KernelState.randn(DataType.FLOAT, 1, n, seq, headDim);
    scores = Nd4j.zeros(DataType.FLOAT, n, seq, seq);
  }

  @Benchmark
  public INDArray scores() {
    if (impl.equals("nd4j")) {
      Nd4j.matmul(q, k, scores, false, true, false);
    } else {
      Gemm.batched(q, k, scores, false, true);
    }
    return scores;
  }
}
