package dev.jbert.bench.kernel;

import dev.jbert.core.kernel.Gelu;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
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
 * The exact (erf) {@link Gelu} over [2048, width] (the FFN: MiniLM 1536, bert-base 3072):
 * {@code kernel} (float erf approximation, rows over threads), {@code double} (exact erf on DOUBLE
 * arrays), {@code nd4j} (mul, erf, add, mul, mul). {@code forward} is the plain loop's output,
 * {@code inference} the forward models run (for {@code kernel} the Vector API's rows where the
 * vectors hold 16 floats; the forks start with the module, and the {@code WithoutVectorModule}
 * methods run without it: the plain loops, the same floats); every backward computes the slope from
 * x again (erf, exp and a few ops) and multiplies.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 2, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 200, timeUnit = TimeUnit.MILLISECONDS)
public class GeluBenchmark {

  private static final double INV_SQRT2 = 0.7071067811865476;
  private static final double INV_SQRT_2PI = 0.3989422804014327;

  @Param({"1536", "3072"})
  public int width;

  @Param({"kernel", "double", "nd4j"})
  public String impl;

  private INDArray x, out, e, g, dout, dx;

  @Setup
  public void setUp() {
    KernelState.init();
    DataType t = KernelState.dataType(impl);
    int rows = KernelState.TOKENS;
    x = KernelState.randn(t, 2, rows, width);
    out = Nd4j.zeros(t, rows, width);
    e = Nd4j.zeros(t, rows, width);
    g = Nd4j.zeros(t, rows, width);
    dout = KernelState.randn(t, 1e-3, rows, width);
    dx = Nd4j.zeros(t, rows, width);
  }

  @Benchmark
  public INDArray forward() {
    if (impl.equals("nd4j")) {
      x.mul(INV_SQRT2, e);
      Nd4j.exec(new Erf(e, e));
      e.addi(1.0).muli(x).muli(0.5);
      return e;
    }
    Gelu.forward(out, null, x, null);
    return out;
  }

  /** The forward models run ({@link Gelu#forward(INDArray, INDArray, INDArray)}); ND4J has no other form. */
  @Benchmark
  public INDArray inference() {
    if (impl.equals("nd4j")) {
      return forward();
    }
    Gelu.forward(out, x, null);
    return out;
  }

  /** {@link #inference} in a JVM started without {@code jdk.incubator.vector}. */
  @Benchmark
  @Fork(value = 1, jvmArgs = "-Xmx4g", jvmArgsAppend = "-Xss1m")      // replaces the class's --add-modules
  public INDArray inferenceWithoutVectorModule() {
    return inference();
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
      x.mul(INV_SQRT2, e);
      Nd4j.exec(new Erf(e, e));
      e.addi(1.0).muli(0.5);                                                  // Φ(x)
      x.mul(x, g).muli(-0.5);
      Transforms.exp(g, false).muli(x).muli(INV_SQRT_2PI);                    // x φ(x)
      g.addi(e).muli(dout);
      return g;
    }
    Gelu.backward(dx, dout, x, null);
    return dx;
  }
}
