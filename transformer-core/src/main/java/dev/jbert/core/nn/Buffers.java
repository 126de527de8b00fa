package dev.jbert.core.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Allocates the buffers of one input shape and frees them all at once.
 *
 * <p>Layers take forward activations from {@link #zeros} and backward scratch (gradients w.r.t.
 * their inputs) from {@link #gradient}. A view made by {@link #sharingGradients} hands out the
 * gradient arrays of a {@link GradientPool} instead: layers whose backward passes never overlap
 * (every other encoder layer) then reuse the same arrays, the k-th request of each layer getting
 * the pool's k-th array.
 *
 * <p>Off-heap memory of ND4J arrays returns to the system only when the garbage collector runs,
 * unless the array is closed; a model that changes shape closes the buffers of the shape it drops.
 */
public final class Buffers implements AutoCloseable {

  /** Gradient arrays shared by the layers given views of it. */
  public static final class GradientPool {
    private final List<INDArray> arrays = new ArrayList<>();
  }

  private final DataType dataType;
  private final Buffers owner;                 // this, or the allocator a view belongs to
  private final List<INDArray> owned;
  private final Map<Long, INDArray> ones;
  private final GradientPool pool;             // null: gradients are private arrays
  private int poolCursor;
  private boolean closed;

  /** @param dataType FLOAT or DOUBLE, the type of every buffer handed out */
  public Buffers(DataType dataType) {
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("models run in FLOAT or DOUBLE, got " + dataType);
    }
    this.dataType = dataType;
    this.owner = this;
    this.owned = new ArrayList<>();
    this.ones = new HashMap<>();
    this.pool = null;
  }

  private Buffers(Buffers owner, GradientPool pool) {
    this.dataType = owner.dataType;
    this.owner = owner;
    this.owned = owner.owned;
    this.ones = owner.ones;
    this.pool = pool;
  }

  /** A view allocating from this object, whose {@link #gradient} requests are served by {@code pool}. */
  public Buffers sharingGradients(GradientPool pool) {
    return new Buffers(owner, pool);
  }

  /** The element type of every buffer. */
  public DataType dataType() {
    return dataType;
  }

  /** A new zero-filled row-major array owned by this allocator. */
  public INDArray zeros(long... shape) {
    if (owner.closed) {
      throw new IllegalStateException("buffers already released");
    }
    INDArray a = Nd4j.zeros(dataType, shape);
    owned.add(a);
    return a;
  }

  /**
   * A backward scratch array: private, or in a view of a {@link GradientPool} the pool's next array
   * (the same one every sharing layer gets at the same request index).
   */
  public INDArray gradient(long... shape) {
    if (pool == null) {
      return zeros(shape);
    }
    int index = poolCursor++;
    if (index == pool.arrays.size()) {
      pool.arrays.add(zeros(shape));
    }
    INDArray a = pool.arrays.get(index);
    if (!Arrays.equals(a.shape(), shape)) {
      throw new IllegalStateException("gradient pool array " + index + " is " + Arrays.toString(a.shape())
          + " but " + Arrays.toString(shape) + " was requested: layers sharing a pool must request alike");
    }
    return a;
  }

  /** A shared column of {@code rows} ones, shape [rows, 1] (bias broadcasts and sums as GEMMs). */
  public INDArray onesColumn(long rows) {
    INDArray column = ones.get(rows);
    if (column == null) {
      column = zeros(rows, 1).assign(1.0);
      ones.put(rows, column);
    }
    return column;
  }

  /** Total bytes held. */
  public long bytes() {
    long n = 0;
    for (INDArray a : owned) {
      n += a.length();
    }
    return n * dataType.width();
  }

  /** Frees every buffer handed out (views included); arrays from this allocator must not be used afterwards. */
  @Override
  public void close() {
    if (owner.closed) {
      return;
    }
    owner.closed = true;
    for (INDArray a : owned) {
      if (a.closeable()) {
        a.close();
      }
    }
    owned.clear();
    ones.clear();
  }
}
