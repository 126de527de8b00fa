package dev.jbert.optim;

import dev.jbert.core.kernel.FlatView;
import dev.jbert.core.kernel.Parallel;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code sum(x^2)} of a flat vector, accurate and fast in float too: one BLAS dot per chunk of
 * {@value #CHUNK} elements, the chunk results summed in double. ND4J's {@code norm2Number()}
 * accumulates a whole vector in float (measured: 5e-3 relative error and 3-6x slower than dot on
 * 22M floats); one dot over everything still drifts to 3e-5. The chunk views are made once. The
 * kernel threads share the chunks and their results are summed in chunk order, the sum of one
 * thread: on one thread bert-base's 110M gradients took 30 ms of a 32×64 training step.
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
    double[] dots = new double[chunks.size()];
    Parallel.rows(dots.length, 16, (part, from, to) -> {
      for (int i = from; i < to; i++) {
        INDArray c = chunks.get(i);
        dots[i] = Nd4j.getBlasWrapper().dot(c, c);
      }
    });
    double sum = 0;
    for (double d : dots) {
      sum += d;
    }
    return sum;
  }
}
