package dev.jbert.optim;

import dev.jbert.core.FlatView;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code sum(x^2)} of a flat vector, accurate and fast in float too: one BLAS dot per chunk of
 * {@value #CHUNK} elements, the chunk results summed in double. ND4J's {@code norm2Number()}
 * accumulates a whole vector in float (measured: 5e-3 relative error and 3-6x slower than dot on
 * 22M floats); one dot over everything still drifts to 3e-5. The chunk views are made once.
 */
final class SquaredSum {

  static final int CHUNK = 1 << 16;

  private final List<INDArray> chunks = new ArrayList<>();

  /** Prepares views over {@code vector} (a contiguous 1-D array). */
  SquaredSum(INDArray vector) {
    for (long start = 0; start < vector.length(); start += CHUNK) {
      chunks.add(FlatView.of(vector, start, Math.min(CHUNK, vector.length() - start)));
    }
  }

  /** The current {@code sum(x^2)}. */
  double compute() {
    double sum = 0;
    for (INDArray c : chunks) {
      sum += Nd4j.getBlasWrapper().dot(c, c);
    }
    return sum;
  }
}
