package dev.jbert.bench;

import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import dev.jbert.core.nn.BertSelfAttention;
import dev.jbert.core.nn.Buffers;
import dev.jbert.core.nn.TrainingMode;
import dev.jbert.core.param.ParameterScope;
import dev.jbert.core.param.Parameters;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH timing of one {@link BertSelfAttention} (fused QKV projection, head split, masked softmax, PV,
 * head merge) at the MiniLM shape, batch 32 × seq 64 (2,048 tokens, hidden 384, 12 heads): forward
 * in eval mode, and forward + backward in training mode with attention dropout 0.1. For reference,
 * the GEMMs alone are 2.0 GFLOP forward (QKV projection 1.81, QKᵀ and PV 0.10 each) and twice that
 * backward: at the ~200 GFLOP/s OpenBLAS reaches on 2 threads, about 10 ms and 30 ms.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar AttentionKernel
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AttentionKernelBenchmark {

  private static final int BATCH = 32;
  private static final int SEQ = 64;
  private static final int HIDDEN = 384;
  private static final int HEADS = 12;

  private Buffers buffers;
  private TrainingMode mode;
  private BertSelfAttention attention;
  private BertSelfAttention.Activations activations;
  private INDArray x;       // [batch·seq, hidden]
  private INDArray dOut;    // [batch·seq, hidden]
  private double[] maskAdd; // [batch·seq], no padding

  @Setup(Level.Trial)
  public void setUp() {
    Backend.init();
    BertConfig config = BertConfig.builder().hiddenSize(HIDDEN).numAttentionHeads(HEADS).intermediateSize(4 * HIDDEN)
        .attentionProbsDropoutProb(0.1).build();
    mode = new TrainingMode(1);
    ParameterScope scope = ParameterScope.root();
    attention = new BertSelfAttention(scope.pp("attention").pp("self"), config, mode);
    Parameters params = scope.build(DataType.FLOAT);
    Nd4j.getRandom().setSeed(1);
    params.values().assign(Nd4j.randn(DataType.FLOAT, params.size()).muli(0.05));
    buffers = new Buffers(DataType.FLOAT);
    activations = attention.allocate(buffers, BATCH, SEQ, SEQ);
    x = Nd4j.randn(DataType.FLOAT, (long) BATCH * SEQ, HIDDEN);
    dOut = Nd4j.randn(DataType.FLOAT, (long) BATCH * SEQ, HIDDEN).muli(1e-3);
    maskAdd = new double[BATCH * SEQ];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    buffers.close();
  }

  /** Eval-mode forward: QKV projection, scores, softmax, PV, merge. */
  @Benchmark
  public void forward(Blackhole bh) {
    mode.setTraining(false);
    bh.consume(attention.forward(activations, x, maskAdd));
  }

  /** Training-mode forward (dropout on the probabilities) and backward down to dx and the QKV gradients. */
  @Benchmark
  public void forwardBackward(Blackhole bh) {
    mode.setTraining(true);
    attention.forward(activations, x, maskAdd);
    bh.consume(attention.backward(activations, dOut));
  }
}
