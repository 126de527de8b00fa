package dev.jbert.core.kernel;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk access, in double precision, to the memory of a contiguous FLOAT or DOUBLE INDArray: the
 * only door through which the hand-written kernels read and write ND4J buffers.
 *
 * <p>Kernels copy a row (or a slice of rows) into a Java array, compute there, and copy it back.
 * Element-wise reads of a direct {@link FloatBuffer} are not vectorised by the JIT and cost about
 * 5 ns each, while a bulk copy is a {@code memcpy} and loops over Java arrays are compiled to SIMD
 * code (measured on [2048, 1536] exact GELU: 17.5 ms element-wise on the buffer, 1.9 ms on a Java
 * array). Rows come as {@code double[]} (the double reference kernels, and the one-source kernels
 * on either element type) or {@code float[]} (the float kernels, on FLOAT arrays only: twice the
 * SIMD width and no conversion).
 *
 * <p>A handle keeps the array's ND4J buffer reachable, and every access ends with a reachability
 * fence on it. ND4J frees an array's off-heap memory on its own thread once the garbage collector
 * finds the buffer unreachable, and the NIO view read here does not keep it alive; a kernel handed
 * an array nobody else holds (a gradient made for one backward pass) could otherwise read memory
 * already freed. Before handles held their buffer, a handle on a 1,000-float array that nothing
 * else held read the allocator's pointers in its first four elements after a garbage collection,
 * and one on 786,432 floats (a [32, 64, 384] gradient) crashed the JVM; with a collection forced
 * inside {@code LayerNorm.backward} and the backward compiled by C2, 22 of 100 MiniLM backward
 * passes gave other gradients than the first pass over the same batch (0 of 100 since).
 * {@code FlatOwnershipTest} checks that the buffer stays reachable.
 */
public abstract sealed class Flat permits Flat.F32, Flat.F64 {

  /** Element offset of the array's first element in the NIO view of its buffer. */
  protected final int base;

  /** Number of elements of the array. */
  protected final int length;

  /** The ND4J buffer whose memory this reads and writes: held, so that ND4J cannot free it under a kernel. */
  protected final Object owner;

  private Flat(INDArray a) {
    long n = a.length();
    if (n > Integer.MAX_VALUE || a.offset() + n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("array of " + n + " elements is too large for a kernel (max 2^31 - 1)");
    }
    if (!isContiguous(a)) {
      throw new IllegalArgumentException("kernels need a contiguous row-major array, got shape "
          + Arrays.toString(a.shape()) + " strides " + Arrays.toString(a.stride()));
    }
    this.base = (int) a.offset();
    this.length = (int) n;
    this.owner = a.data();
  }

  /** A handle on {@code a}'s memory; {@code a} must be FLOAT or DOUBLE, row-major and contiguous. */
  public static Flat of(INDArray a) {
    if (a.dataType() == DataType.FLOAT) {
      return new F32(a);
    }
    if (a.dataType() == DataType.DOUBLE) {
      return new F64(a);
    }
    throw new IllegalArgumentException("kernels support FLOAT and DOUBLE, got " + a.dataType());
  }

  /** Whether {@code a} holds doubles: the kernels then run their plain double reference (see the package doc). */
  public static boolean isDouble(INDArray a) {
    return a.dataType() == DataType.DOUBLE;
  }

  /** {@link #of}, or null for null (an optional input, or the gradients of a forward-only layer). */
  public static Flat ofNullable(INDArray a) {
    return a == null ? null : of(a);
  }

  /**
   * Sets every element of {@code a} to 0: {@code memset} where {@code a} is contiguous (a buffer, or
   * a view carved from an arena), cut over the kernel threads from {@link #ZERO_BLOCK} bytes up,
   * rather than an ND4J scalar op on its own OpenMP threads beside the kernel threads. One thread
   * alone did not keep up with ND4J's two: zeroing MiniLM's gradients took 2.8% of a Banking77
   * fine-tune's training thread against 1.6% (docs/performance.md, "Buffers without a zero fill").
   */
  public static void zero(INDArray a) {
    if (!isContiguous(a) || (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE)) {
      a.assign(0);
      return;
    }
    long bytes = a.length() * a.dataType().width();
    Pointer first = a.data().addressPointer();                   // a view's buffer starts at the view
    int blocks = (int) ((bytes + ZERO_BLOCK - 1) / ZERO_BLOCK);
    Parallel.rows(blocks, 1, (part, from, to) -> {
      long at = from * ZERO_BLOCK;
      long end = Math.min(bytes, to * ZERO_BLOCK);
      Pointer.memset(new BytePointer(first).position(at), 0, end - at);
    });
    Reference.reachabilityFence(a);                              // the raw pointer does not hold a's memory
  }

  /** The bytes one thread zeroes at least: below, {@link #zero} runs on the calling thread alone. */
  static final long ZERO_BLOCK = 4L << 20;

  /** Whether {@code a} is row-major with no gaps (dimensions of size 1 may have any stride). */
  static boolean isContiguous(INDArray a) {
    long expected = 1;
    long[] shape = a.shape();
    long[] stride = a.stride();
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= shape[i];
    }
    return true;
  }

  /** Number of elements. */
  public int length() {
    return length;
  }

  /** Copies {@code len} elements starting at element {@code from} into {@code dst[dstOff..]}. */
  public abstract void get(int from, double[] dst, int dstOff, int len);

  /** Copies {@code src[srcOff..srcOff+len)} into the elements starting at {@code from}. */
  public abstract void put(int from, double[] src, int srcOff, int len);

  /** Adds {@code src[srcOff..srcOff+len)} to the elements starting at {@code from}. */
  public abstract void add(int from, double[] src, int srcOff, int len);

  /** Copies {@code len} elements starting at element {@code from} into {@code dst[dstOff..]} (rounded to float). */
  public abstract void get(int from, float[] dst, int dstOff, int len);

  /** Copies {@code src[srcOff..srcOff+len)} into the elements starting at {@code from}. */
  public abstract void put(int from, float[] src, int srcOff, int len);

  /** One element (slow path: tests, losses over a few logits). */
  public abstract double get(int i);

  /** Sets one element (slow path). */
  public abstract void set(int i, double v);

  /** Copies the whole array into a new {@code double[]}. */
  public double[] toArray() {
    double[] out = new double[length];
    get(0, out, 0, length);
    return out;
  }

  /** All elements as floats (doubles rounded to float): a float kernel's copy of a small parameter. */
  public float[] toFloats() {
    float[] out = new float[length];
    get(0, out, 0, length);
    return out;
  }

  /**
   * The calling thread's array in {@code holder}, replaced by one at least twice as long when it holds
   * fewer than {@code len} floats: scratch that kernels reuse from call to call.
   */
  static float[] scratch(ThreadLocal<float[]> holder, int len) {
    float[] s = holder.get();
    if (s.length < len) {
      s = new float[Math.max(len, 2 * s.length)];
      holder.set(s);
    }
    return s;
  }

  private void check(int from, int len) {
    if (from < 0 || len < 0 || from + len > length) {
      throw new IndexOutOfBoundsException("elements [" + from + ", " + (from + len) + ") of an array of " + length);
    }
  }

  /** FLOAT arrays: bulk copies through a per-thread float[] staging row. */
  static final class F32 extends Flat {
    private static final ThreadLocal<float[]> STAGING = ThreadLocal.withInitial(() -> new float[1024]);
    private final FloatBuffer buf;

    private F32(INDArray a) {
      super(a);
      this.buf = a.data().asNioFloat();
    }

    private static float[] staging(int len) {
      return scratch(STAGING, len);
    }

    @Override
    public void get(int from, double[] dst, int dstOff, int len) {
      super.check(from, len);
      float[] s = staging(len);
      buf.get(base + from, s, 0, len);
      Reference.reachabilityFence(owner);
      for (int i = 0; i < len; i++) {
        dst[dstOff + i] = s[i];
      }
    }

    @Override
    public void put(int from, double[] src, int srcOff, int len) {
      super.check(from, len);
      float[] s = staging(len);
      for (int i = 0; i < len; i++) {
        s[i] = (float) src[srcOff + i];
      }
      buf.put(base + from, s, 0, len);
      Reference.reachabilityFence(owner);
    }

    @Override
    public void add(int from, double[] src, int srcOff, int len) {
      super.check(from, len);
      float[] s = staging(len);
      buf.get(base + from, s, 0, len);
      for (int i = 0; i < len; i++) {
        s[i] = (float) (s[i] + src[srcOff + i]);
      }
      buf.put(base + from, s, 0, len);
      Reference.reachabilityFence(owner);
    }

    @Override
    public void get(int from, float[] dst, int dstOff, int len) {
      super.check(from, len);
      buf.get(base + from, dst, dstOff, len);
      Reference.reachabilityFence(owner);
    }

    @Override
    public void put(int from, float[] src, int srcOff, int len) {
      super.check(from, len);
      buf.put(base + from, src, srcOff, len);
      Reference.reachabilityFence(owner);
    }

    @Override
    public double get(int i) {
      super.check(i, 1);
      double v = buf.get(base + i);
      Reference.reachabilityFence(owner);
      return v;
    }

    @Override
    public void set(int i, double v) {
      super.check(i, 1);
      buf.put(base + i, (float) v);
      Reference.reachabilityFence(owner);
    }
  }

  /** DOUBLE arrays: bulk copies straight into the caller's arrays. */
  static final class F64 extends Flat {
    private static final ThreadLocal<double[]> STAGING = ThreadLocal.withInitial(() -> new double[1024]);
    private final DoubleBuffer buf;

    private F64(INDArray a) {
      super(a);
      this.buf = a.data().asNioDouble();
    }

    @Override
    public void get(int from, double[] dst, int dstOff, int len) {
      super.check(from, len);
      buf.get(base + from, dst, dstOff, len);
      Reference.reachabilityFence(owner);
    }

    @Override
    public void put(int from, double[] src, int srcOff, int len) {
      super.check(from, len);
      buf.put(base + from, src, srcOff, len);
      Reference.reachabilityFence(owner);
    }

    private static double[] staging(int len) {
      double[] s = STAGING.get();
      if (s.length < len) {
        s = new double[Math.max(len, 2 * s.length)];
        STAGING.set(s);
      }
      return s;
    }

    @Override
    public void add(int from, double[] src, int srcOff, int len) {
      super.check(from, len);
      double[] s = staging(len);
      buf.get(base + from, s, 0, len);
      for (int i = 0; i < len; i++) {
        s[i] += src[srcOff + i];
      }
      buf.put(base + from, s, 0, len);
      Reference.reachabilityFence(owner);
    }

    /** Float kernels run on FLOAT arrays; DOUBLE arrays go to the double reference kernels. */
    @Override
    public void get(int from, float[] dst, int dstOff, int len) {
      throw new UnsupportedOperationException("float rows of a DOUBLE array: float kernels take FLOAT arrays");
    }

    @Override
    public void put(int from, float[] src, int srcOff, int len) {
      throw new UnsupportedOperationException("float rows of a DOUBLE array: float kernels take FLOAT arrays");
    }

    @Override
    public double get(int i) {
      super.check(i, 1);
      double v = buf.get(base + i);
      Reference.reachabilityFence(owner);
      return v;
    }

    @Override
    public void set(int i, double v) {
      super.check(i, 1);
      buf.put(base + i, v);
      Reference.reachabilityFence(owner);
    }
  }
}
