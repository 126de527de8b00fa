package dev.jbert.bench.kernel;

import dev.jbert.core.backend.Backend;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What every kernel benchmark shares: the tokens per batch, the implementation names, seeded inputs. */
final class KernelState {

  /** Tokens per batch (batch × seq), as the 32×64 and 16×128 workloads of jbert-bench. */
  static final int TOKENS = 2048;

  /** Heads of both BERT shapes. */
  static final int HEADS = 12;

  private KernelState() {}

  /** The data type an implementation runs in: DOUBLE for the {@code double} reference, else FLOAT. */
  static DataType dataType(String impl) {
    return switch (impl) {
      case "kernel", "nd4j" -> DataType.FLOAT;
      case "double" -> DataType.DOUBLE;
      default -> throw new IllegalArgumentException("impl must be kernel, double or nd4j, got '" + impl + "'");
    };
  }

  /** Initialises the backend (2 threads, passive waits) and seeds ND4J's generator. */
  static void init() {
    Backend.init();
    Nd4j.getRandom().setSeed(1);
  }

  /** Normal values times {@code scale}. */
  static INDArray randn(DataType type, double scale, long... shape) {
    return Nd4j.randn(type, shape).muli(scale);
  }
}
