package dev.jbert.bench.kernel;

import dev.jbert.core.kernel.Gemm;
import dev.jbert.core.kernel.Linear;
import dev.jbert.core.kernel.PackedWeight;
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
 * The GEMMs of BERT's linear layers, {@code out [M, N] = inp [M, K] · Wᵀ} with W stored [N, K]:
 * {@code shape} is {@code MxKxN}; M = 2048 tokens (the 32×64 and 16×128 batches) or 32 (the 1×32
 * latency; MiniLM's four also at 32 rows, and 128 rows where batch-1 inference stops using the
 * packed weights). MiniLM: QKV 384→1152, attention output 384→384, FFN 384→1536 and 1536→384;
 * bert-base the same at 768. {@code gemm}: {@link Gemm#matmul} into a preallocated output with
 * transB (the kernel, OpenBLAS); {@code packed}: {@link Gemm#matmul(INDArray, PackedWeight, INDArray)}
 * on W packed once (batch-1 inference; the forks add the Vector API module); {@code mmul}: ND4J's
 * allocating {@code inp.mmul(W.transpose())}, the straightforward call;
 * {@code linear} (opt-in, {@code -p impl=linear}): {@link Linear#forward}, the GEMM plus the bias.
 * {@code pass} (opt-in beyond {@code forward}, {@code -p pass=forward,input-grad,weight-grad}) picks
 * the product of a training step that has the shape: the forward {@code inp·Wᵀ}, the input gradient
 * {@code dout·W} [M, K], or the weight gradient {@code doutᵀ·inp} [N, K] accumulated into the
 * gradient as {@link Linear#backward} calls it; {@code gemm} and {@code mmul} only (the packed weight
 * is inference's). GFLOP/s = 2·M·K·N / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 2, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 200, timeUnit = TimeUnit.MILLISECONDS)
public class GemmBenchmark {

  @Param({"2048x384x1152", "2048x384x384", "2048x384x1536", "2048x1536x384",
      "2048x768x2304", "2048x768x768", "2048x768x3072", "2048x3072x768", "32x384x1152", "32x384x384", "32x384x1536",
      "32x1536x384", "128x384x1536", "32x768x3072"})
  public String shape;

  @Param({"gemm", "packed", "mmul"})
  public String impl;

  @Param({"forward"})
  public String pass;

  private INDArray inp, weight, bias, out, dout, dinp, dweight;
  private PackedWeight packed;

  @Setup
  public void setUp() {
    KernelState.init();
    String[] mkn = shape.split("x");
    int m = Integer.parseInt(mkn[0]);
    int k = Integer.parseInt(mkn[1]);
    int n = Integer.parseInt(mkn[2]);
    inp = KernelState.randn(DataType.FLOAT, 1, m, k);
    weight = KernelState.randn(DataType.FLOAT, 0.02, n, k);
    bias = KernelState.randn(DataType.FLOAT, 0.02, n);
    out = Nd4j.zeros(DataType.FLOAT, m, n);
    packed = impl.equals("packed") ? PackedWeight.of(weight) : null;
    if (!pass.equals("forward")) {
      if (!impl.equals("gemm") && !impl.equals("mmul")) {
        throw new IllegalArgumentException("pass " + pass + " is a training product: impl must be gemm or mmul, got '"
            + impl + "'");
      }
      dout = KernelState.randn(DataType.FLOAT, 1, m, n);
      dinp = Nd4j.zeros(DataType.FLOAT, m, k);
      dweight = Nd4j.zeros(DataType.FLOAT, n, k);
    }
  }

  @Benchmark
  public INDArray gemm() {
    switch (pass) {
      case "forward" -> {
        return forward();
      }
      case "input-grad" -> {
        if (impl.equals("mmul")) {
          return dout.mmul(weight);
        }
        Gemm.matmul(dout, weight, dinp, false, false, 0.0);     // dinp = dout W
        return dinp;
      }
      case "weight-grad" -> {
        if (impl.equals("mmul")) {
          return dout.transpose().mmul(inp);
        }
        Gemm.matmul(dout, inp, dweight, true, false, 1.0);      // dW += doutᵀ inp
        return dweight;
      }
      default -> throw new IllegalArgumentException(
          "pass must be forward, input-grad or weight-grad, got '" + pass + "'");
    }
  }

  private INDArray forward() {
    switch (impl) {
      case "gemm" -> Gemm.matmul(inp, weight, out, false, true, 0.0);
      case "packed" -> Gemm.matmul(inp, packed, out);
      case "linear" -> Linear.forward(out, inp, weight, bias);
      case "mmul" -> {
        return inp.mmul(weight.transpose());
      }
      default -> throw new IllegalArgumentException("impl must be gemm, packed, linear or mmul, got '" + impl + "'");
    }
    return out;
  }
}
