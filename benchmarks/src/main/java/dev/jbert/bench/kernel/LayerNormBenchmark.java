package dev.jbert.bench.kernel;

import dev.jbert.core.kernel.LayerNorm;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNormBp;
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
 * Post-LN {@link LayerNorm} of {@code inp + residual} over [2048, width] (MiniLM 384, bert-base
 * 768), no dropout: {@code kernel} (float, rows over threads), {@code double} (the reference on
 * DOUBLE arrays), {@code nd4j} (an add and ND4J's {@code layer_norm} op; backward
 * {@code layer_norm_bp}). {@link #forward} is training's (x̂ saved for the backward), {@link
 * #inference} writes the output only. The forks start with the Vector API module, so the float
 * kernel runs its vector row steps where the vectors hold 16 floats; the {@code
 * WithoutVectorModule} methods run in a fork without the module: the plain loops for {@code kernel}
 * (the same floats), and for the implementations that do not use the module a measure of the noise
 * between forks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 2, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 200, timeUnit = TimeUnit.MILLISECONDS)
public class LayerNormBenchmark {

  @Param({"384", "768"})
  public int width;

  @Param({"kernel", "double", "nd4j"})
  public String impl;

  private INDArray inp, residual, sum, weight, bias, out, xhat, dout, dx, dweight, dbias;
  private double[] rstd;

  @Setup
  public void setUp() {
    KernelState.init();
    DataType t = KernelState.dataType(impl);
    int rows = KernelState.TOKENS;
    inp = KernelState.randn(t, 1, rows, width);
    residual = KernelState.randn(t, 1, rows, width);
    sum = Nd4j.zeros(t, rows, width);
    weight = KernelState.randn(t, 0.1, width).addi(1);
    bias = KernelState.randn(t, 0.1, width);
    out = Nd4j.zeros(t, rows, width);
    xhat = Nd4j.zeros(t, rows, width);
    dout = KernelState.randn(t, 1e-3, rows, width);
    dx = Nd4j.zeros(t, rows, width);
    dweight = Nd4j.zeros(t, width);
    dbias = Nd4j.zeros(t, width);
    rstd = new double[rows];
    forward();
  }

  @Benchmark
  public INDArray forward() {
    if (impl.equals("nd4j")) {
      inp.add(residual, sum);
      Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm(sum, weight, bias, out, true, 1));
    } else {
      LayerNorm.forward(out, xhat, rstd, inp, null, null, residual, weight, bias, 1e-12);
    }
    return out;
  }

  /** The forward of a model without gradients: nothing saved for a backward. */
  @Benchmark
  public INDArray inference() {
    if (impl.equals("nd4j")) {
      return forward();
    }
    LayerNorm.forward(out, null, rstd, inp, null, null, residual, weight, bias, 1e-12);
    return out;
  }

  /** {@link #inference} in a JVM started without {@code jdk.incubator.vector}. */
  @Benchmark
  @Fork(value = 1, jvmArgs = "-Xmx4g", jvmArgsAppend = "-Xss1m")      // replaces the class's --add-modules
  public INDArray inferenceWithoutVectorModule() {
    return inference();
  }

  /** {@link #forward} in a JVM started without {@code jdk.incubator.vector}. */
  @Benchmark
  @Fork(value = 1, jvmArgs = "-Xmx4g", jvmArgsAppend = "-Xss1m")      // replaces the class's --add-modules
  public INDArray forwardWithoutVectorModule() {
    return forward();
  }

  /** {@link #backward} in a JVM started without {@code jdk.incubator.vector}. */
  @Benchmark
  @Fork(value = 1, jvmArgs = "-Xmx4g", jvmArgsAppend = "-Xss1m")      // replaces the class's --add-modules
  public INDArray backwardWithoutVectorModule() {
    return backward();
  }

  @Benchmark
  public INDArray backward() {
    if (impl.equals("nd4j")) {
      Nd4j.exec(new LayerNormBp(sum, weight, bias, dout, dx, dweight, dbias, true, 1));
    } else {
      LayerNorm.backward(dx, null, dweight, dbias, dout, null, xhat, rstd, weight, null);
    }
    return dx;
  }
}
