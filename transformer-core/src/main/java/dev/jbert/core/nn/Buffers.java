package dev.jbert.core.nn;

import dev.jbert.core.kernel.Flat;
import dev.jbert.core.kernel.FlatView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Allocates the buffers of one input shape and frees them all at once.
 *
 * <p>Modules take their saved activations ({@code Activations}) from {@link #empty}, arrays that
 * only their forward pass reads from {@link #scratch}, and backward scratch (gradients w.r.t. their
 * inputs) from {@link #gradient}. A view made by {@link #sharingGradients} hands out the gradient
 * and forward scratch arrays of a {@link Pool} instead: layers whose backward passes never
 * overlap (every other encoder layer) then reuse the same gradient arrays, and all layers the same
 * forward scratch, the k-th request of each layer getting the pool's k-th array.
 *
 * <p>Off-heap memory of ND4J arrays returns to the system only when the garbage collector runs,
 * unless the array is closed, and fresh off-heap memory costs page faults on first touch. So a
 * model whose input shape changes every step (dynamic padding) carves each shape's buffers out of
 * one {@link Arena} that outlives the shapes: a new shape costs views, not an
 * allocation. Only one {@code Buffers} may use an arena at a time.
 */
public final class Buffers implements AutoCloseable {

  /**
   * Arrays shared by the layers given views of it: their gradients, their forward scratch, or,
   * without gradients, all their activations.
   */
  public static final class Pool {
    private final List<INDArray> arrays = new ArrayList<>();
  }

  /**
   * One slab of memory that successive {@code Buffers} hand out as views. When a shape needs more
   * than the slab holds, the requests past its end get arrays of their own and
   * {@link #shortfall()} says so; the owner then grows the arena and builds that shape again.
   */
  public static final class Arena implements AutoCloseable {
    private final DataType dataType;
    private INDArray slab; // [capacity], null before the first grow
    private long capacity;

    /** An empty arena; its first user finds it short and grows it. */
    public Arena(DataType dataType) {
      this.dataType = dataType;
    }

    /** Replaces the slab by one of at least {@code elements}; views of the old one become invalid. */
    public void grow(long elements) {
      close();
      capacity = elements;
      slab = Nd4j.createUninitialized(dataType, elements);
    }

    /** Elements the slab holds. */
    public long capacity() {
      return capacity;
    }

    @Override
    public void close() {
      if (slab != null && slab.closeable()) {
        slab.close();
      }
      slab = null;
      capacity = 0;
    }
  }

  private final DataType dataType;
  private final Arena arena;                   // null: every buffer is an array of its own
  private long arenaCursor;                    // elements requested from the arena so far
  private final Buffers owner;                 // this, or the allocator a view belongs to
  private final List<INDArray> owned;
  private final Pool pool;                     // null: gradients are private arrays
  private final boolean poolActivations;       // whether empty() is served by the pool too
  private int poolCursor;
  private final Pool scratchPool;              // null: forward scratch as pool or empty() serve it
  private int scratchCursor;
  private boolean closed;

  /** @param dataType FLOAT or DOUBLE, the type of every buffer handed out */
  public Buffers(DataType dataType) {
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("models run in FLOAT or DOUBLE, got " + dataType);
    }
    this.dataType = dataType;
    this.arena = null;
    this.owner = this;
    this.owned = new ArrayList<>();
    this.pool = null;
    this.poolActivations = false;
    this.scratchPool = null;
  }

  /** Buffers carved out of {@code arena} (see {@link Arena}). */
  public Buffers(Arena arena) {
    this.dataType = arena.dataType;
    this.arena = arena;
    this.owner = this;
    this.owned = new ArrayList<>();
    this.pool = null;
    this.poolActivations = false;
    this.scratchPool = null;
  }

  private Buffers(Buffers owner, Pool pool, boolean poolActivations, Pool scratchPool) {
    this.dataType = owner.dataType;
    this.arena = null; // requests go to owner
    this.owner = owner;
    this.owned = owner.owned;
    this.pool = pool;
    this.poolActivations = poolActivations;
    this.scratchPool = scratchPool;
  }

  /**
   * A view allocating from this object, whose {@link #gradient} requests are served by {@code pool}
   * and {@link #scratch} requests by {@code scratch}.
   */
  public Buffers sharingGradients(Pool pool, Pool scratch) {
    return new Buffers(owner, pool, false, scratch);
  }

  /**
   * A view whose {@link #empty} and {@link #gradient} requests are all served by {@code pool}, the
   * k-th request by the pool's k-th array.
   */
  public Buffers sharingActivations(Pool pool) {
    return new Buffers(owner, pool, true, null);
  }

  /** Whether no backward pass will read these buffers: a view made by {@link #sharingActivations}. */
  public boolean forwardOnly() {
    return poolActivations;
  }

  /** The element type of every buffer. */
  public DataType dataType() {
    return dataType;
  }

  /**
   * A new row-major array owned by this allocator, its elements undefined: the module asking writes
   * every one before anything reads it (as {@code torch.empty}). Not zero-filled because a new
   * input shape gets all its buffers anew, and shapes change all the time: every step of a
   * fine-tune on length-bucketed batches, every message a service classifies. The zero fill cost a
   * MiniLM fine-tune on Banking77 4-6% of its speed and classifying its test messages one at a
   * time about a fifth of their latency (docs/performance.md, "Buffers without a zero fill"). With assertions on (as
   * in the tests) every element is NaN instead, so a kernel that reads what it has not written
   * turns its results into NaN.
   */
  public INDArray empty(long... shape) {
    if (owner.closed) {
      throw new IllegalStateException("buffers already released");
    }
    if (poolActivations) {
      return poisoned(fromPool(pool, poolCursor++, shape));
    }
    if (owner != this) {
      return owner.empty(shape);
    }
    INDArray a = null;
    if (arena != null) {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      long offset = arenaCursor;
      arenaCursor += (n + 15) / 16 * 16; // 64-byte aligned starts for the kernels
      if (arenaCursor <= arena.capacity()) {
        a = FlatView.of(arena.slab, offset, shape);
      }
    }
    if (a == null) {
      a = Nd4j.createUninitialized(dataType, shape);
      owned.add(a);
    }
    return poisoned(a);
  }

  /** {@link #empty}, every element 0: for a buffer its module writes only in part. */
  public INDArray zeros(long... shape) {
    INDArray a = empty(shape);
    Flat.zero(a);
    return a;
  }

  private static final boolean POISON = Buffers.class.desiredAssertionStatus();

  private static INDArray poisoned(INDArray a) {
    return POISON ? a.assign(Double.NaN) : a;
  }

  /** Elements the arena lacked for this shape (0 when everything fit, or without an arena). */
  public long shortfall() {
    return arena == null ? 0 : Math.max(0, arenaCursor - arena.capacity());
  }

  /** Elements requested from the arena so far. */
  public long arenaElements() {
    return arenaCursor;
  }

  /**
   * A backward scratch array: private, or in a view of a {@link Pool} the pool's next array
   * (the same one every sharing layer gets at the same request index).
   */
  public INDArray gradient(long... shape) {
    if (pool == null) {
      return empty(shape);
    }
    return fromPool(pool, poolCursor++, shape);
  }

  /**
   * An array that only the forward pass of the module asking reads (a product before the kernel
   * that consumes it): in a view with a scratch pool, the pool's next array, which every layer's
   * forward overwrites; otherwise as {@link #empty}.
   */
  public INDArray scratch(long... shape) {
    if (scratchPool == null) {
      return empty(shape);
    }
    return poisoned(fromPool(scratchPool, scratchCursor++, shape));
  }

  /** Array {@code index} of {@code pool}, created by the owner when the pool is short. */
  private INDArray fromPool(Pool pool, int index, long... shape) {
    if (index == pool.arrays.size()) {
      pool.arrays.add(owner.empty(shape));
    }
    INDArray a = pool.arrays.get(index);
    if (!Arrays.equals(a.shape(), shape)) {
      throw new IllegalStateException("pool array " + index + " is " + Arrays.toString(a.shape())
          + " but " + Arrays.toString(shape) + " was requested: layers sharing a pool must request alike");
    }
    return a;
  }

  /** Bytes of the buffers handed out: those carved from the arena and those allocated on their own. */
  public long bytes() {
    long n = Math.min(arenaCursor, arena == null ? 0 : arena.capacity());
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
  }
}
