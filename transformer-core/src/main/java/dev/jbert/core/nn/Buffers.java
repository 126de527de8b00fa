package dev.jbert.core.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Allocates the activation buffers of one input shape and frees them all at once.
 *
 * <p>Off-heap memory of ND4J arrays returns to the system only when the garbage collector runs,
 * unless the array is closed; a model that changes shape closes the buffers of the shape it drops.
 */
public final class Buffers implements AutoCloseable {

  private final DataType dataType;
  private final List<INDArray> owned = new ArrayList<>();
  private final java.util.Map<Long, INDArray> ones = new java.util.HashMap<>();
  private boolean closed;

  /** @param dataType FLOAT or DOUBLE, the type of every buffer handed out */
  public Buffers(DataType dataType) {
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("models run in FLOAT or DOUBLE, got " + dataType);
    }
    this.dataType = dataType;
  }

  /** The element type of every buffer. */
  public DataType dataType() {
    return dataType;
  }

  /** A new zero-filled row-major array owned by this allocator. */
  public INDArray zeros(long... shape) {
    if (closed) {
      throw new IllegalStateException("buffers already released");
    }
    INDArray a = Nd4j.zeros(dataType, shape);
    owned.add(a);
    return a;
  }

  /** A shared column of {@code rows} ones, shape [rows, 1] (bias broadcasts and sums as GEMMs). */
  public INDArray onesColumn(long rows) {
    return ones.computeIfAbsent(rows, r -> zeros(r, 1).assign(1.0));
  }

  /** Total bytes held. */
  public long bytes() {
    long n = 0;
    for (INDArray a : owned) {
      n += a.length();
    }
    return n * dataType.width();
  }

  /** Frees every buffer handed out; arrays from this allocator must not be used afterwards. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (INDArray a : owned) {
      if (a.closeable()) {
        a.close();
      }
    }
    owned.clear();
    ones.clear();
  }
}
