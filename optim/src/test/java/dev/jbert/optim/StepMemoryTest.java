package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.param.Parameters;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * After the first step nothing proportional to the model is allocated: resident memory stays flat
 * over further steps (a single span-sized temporary per step would add 32 MB each time, since ND4J
 * frees native memory only when the garbage collector runs). Also logs the time per step.
 */
class StepMemoryTest {

  private static final long MB = 1 << 20;

  private static Parameters layout() {
    Parameters.Builder b = Parameters.builder();
    b.add("bert.embeddings.word_embeddings.weight", 2048, 1024);
    for (int i = 0; i < 2; i++) {
      b.add("bert.encoder.layer." + i + ".intermediate.dense.weight", 2048, 1024);
      b.add("bert.encoder.layer." + i + ".intermediate.dense.bias", 2048);
      b.add("bert.encoder.layer." + i + ".output.LayerNorm.weight", 1024);
    }
    b.add("classifier.weight", 1024, 1024);
    return b.build(DataType.FLOAT); // ~7.3M floats, 29 MB per buffer
  }

  @Test
  void stepsAfterTheFirstAllocateNothingModelSized() {
    Parameters params = layout();
    long spanBytes = params.size() * 4;
    AdamW opt = new AdamW(params, OptimizerConfig.builder().lr(1e-3).weightDecay(0.01).layerwiseLrDecay(0.9)
        .freeze(NameFilter.prefixes("bert.encoder.layer.0.output.")).build());
    params.grads().assign(Nd4j.rand(DataType.FLOAT, params.size()).subi(0.5));
    opt.step();
    opt.step();
    long before = Pointer.physicalBytes();
    int steps = 6;
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      opt.step();
    }
    double msPerStep = (System.nanoTime() - t0) / 1e6 / steps;
    long grown = Pointer.physicalBytes() - before;
    System.out.printf("AdamW step over %d floats: %.1f ms; resident memory grew %d MB over %d steps%n",
        params.size(), msPerStep, grown / MB, steps);
    assertTrue(grown < spanBytes / 2, "resident memory grew by " + grown / MB + " MB over " + steps + " steps");
  }
}
