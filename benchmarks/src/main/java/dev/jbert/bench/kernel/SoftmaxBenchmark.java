package dev.jbert.bench.kernel;

import dev.jbert.core.kernel.MaskedSoftmax;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
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
 * {@link MaskedSoftmax} of attention scores [batch·12 heads, seq, seq] with the 1/√64 scale and the
 * key mask (2,048 tokens as 2048/seq sequences), no dropout: {@code kernel} (a (batch, head) block
 * at a time), {@code double} (the reference, row by row), {@code nd4j} (scale, broadcast mask add,
 * ND4J's softmax op; backward a multiply, a row sum, a broadcast subtract and two multiplies). The
 * forward works in place, scores to probabilities, so repeated calls take the softmax of the last
 * output: the same work. The forks start with the Vector API module, as training does, so the float
 * kernel's forward runs its vector row steps where the vectors hold 16 floats; {@link
 * #forwardWithoutVectorModule} runs in a fork without the module: the plain loops (the same floats).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 2, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 200, timeUnit = TimeUnit.MILLISECONDS)
public class SoftmaxBenchmark {

  private static final double SCALE = 0.125;

  @Param({"64", "512"})
  public int seq;

  @Param({"kernel", "double", "nd4j"})
  public String impl;

  private int batch;
  private INDArray scores, probs, dProbs, maskAdd2d;
  private double[] maskAdd;

  @Setup
  public void setUp() {
    KernelState.init();
    DataType t = KernelState.dataType(impl);
    batch = KernelState.TOKENS / seq;
    int n = batch * KernelState.HEADS;
    scores = KernelState.randn(t, 3, n, seq, seq);
    probs = Nd4j.zeros(t, n, seq, seq);
    dProbs = KernelState.randn(t, 1e-3, n, seq, seq);
    maskAdd = new double[batch * seq];
    maskAdd2d = Nd4j.zeros(t, batch, seq);
    forward();
    probs.assign(scores);
  }

  @Benchmark
  public INDArray forward() {
    if (impl.equals("nd4j")) {
      scores.muli(SCALE);
      INDArray s4 = scores.reshape(batch, KernelState.HEADS, seq, seq);
      Nd4j.exec(new BroadcastAddOp(s4, maskAdd2d, s4, 0, 3));
      Nd4j.exec(new SoftMax(scores, scores, 2));
    } else {
      MaskedSoftmax.forward(scores, null, maskAdd, KernelState.HEADS, SCALE, null);
    }
    return scores;
  }

  /** {@link #forward} in a JVM started without {@code jdk.incubator.vector}. */
  @Benchmark
  @Fork(value = 1, jvmArgs = "-Xmx4g", jvmArgsAppend = "-Xss1m")      // replaces the class's --add-modules
  public INDArray forwardWithoutVectorModule() {
    return forward();
  }

  /** dS from dP in place; dP is overwritten, so the values drift between calls but the work does not. */
  @Benchmark
  public INDArray backward() {
    if (impl.equals("nd4j")) {
      INDArray rowDot = probs.mul(dProbs).sum(2);
      Nd4j.exec(new BroadcastSubOp(dProbs, rowDot, dProbs, 0, 1));
      dProbs.muli(probs).muli(SCALE);
    } else {
      MaskedSoftmax.backward(dProbs, probs, SCALE, null);
    }
    return dProbs;
  }
}
