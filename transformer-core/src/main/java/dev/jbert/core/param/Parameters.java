package dev.jbert.core.param;

import dev.jbert.core.kernel.Flat;
import dev.jbert.core.kernel.FlatView;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every parameter of a model in one flat buffer, and every gradient in a second one of the same
 * layout, addressed by Hugging Face parameter name (llm.c style).
 *
 * <p>Each named tensor is a view into the flat buffers, so the optimizer, gradient clipping and
 * zeroing work over one array, while layers, loading, saving and freezing work by name. Names keep
 * insertion order, which is the Hugging Face state-dict order when the model registers them so.
 *
 * <p>The gradient buffer is allocated by the first call that needs it ({@link #grads()},
 * {@link #grad}, {@link #fusedGrad}): a model that only predicts never holds one.
 *
 * <p>Values derived from the weights for inference (the packed copies of the linear weights, see
 * {@link #derived}) are kept until {@link #changed()}: whatever writes into the values calls it (the
 * optimizers, the weight average, loading), and so must code that writes into a value view itself.
 */
public final class Parameters {

  private final DataType dataType;
  private final INDArray values;
  private final Map<String, Slot> slots;
  private INDArray grads;                  // allocated on first use
  private final Map<String, Object> derived = new ConcurrentHashMap<>();   // cleared by changed()

  private record Slot(long offset, long[] shape, INDArray value) {}

  private Parameters(DataType dataType, Map<String, long[]> shapes) {
    this.dataType = dataType;
    long total = shapes.values().stream().mapToLong(Parameters::numel).sum();
    this.values = Nd4j.zeros(dataType, total);
    Map<String, Slot> map = new LinkedHashMap<>();
    long offset = 0;
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long[] shape = e.getValue().clone();
      map.put(e.getKey(), new Slot(offset, shape, FlatView.of(values, offset, shape)));
      offset += numel(shape);
    }
    this.slots = Collections.unmodifiableMap(map);
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** Starts a parameter layout; tensors are laid out in the order they are added. */
  public static Builder builder() {
    return new Builder();
  }

  /** Collects names and shapes, then allocates both flat buffers at once. */
  public static final class Builder {
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    /** Adds a tensor; its name must be new. */
    public Builder add(String name, long... shape) {
      if (shapes.putIfAbsent(name, shape.clone()) != null) {
        throw new IllegalArgumentException("duplicate parameter name: " + name);
      }
      return this;
    }

    /** Allocates zero-filled value and gradient buffers of {@code dataType}. */
    public Parameters build(DataType dataType) {
      return new Parameters(dataType, shapes);
    }

    /** Whether {@code existing} has exactly these names, in this order, with these shapes. */
    boolean describes(Parameters existing) {
      List<String> names = existing.names();
      if (!names.equals(List.copyOf(shapes.keySet()))) {
        return false;
      }
      for (String name : names) {
        if (!Arrays.equals(shapes.get(name), existing.shape(name))) {
          return false;
        }
      }
      return true;
    }
  }

  /** Parameter names in layout order. */
  public List<String> names() {
    return List.copyOf(slots.keySet());
  }

  /** Whether a tensor of this name exists. */
  public boolean contains(String name) {
    return slots.containsKey(name);
  }

  /** The value tensor, a view into {@link #values()}. */
  public INDArray value(String name) {
    return slot(name).value;
  }

  /** The gradient tensor, a view into {@link #grads()} (which this call allocates if it is the first). */
  public INDArray grad(String name) {
    Slot s = slot(name);
    return FlatView.of(grads(), s.offset, s.shape);
  }

  /** The tensor's shape (a copy). */
  public long[] shape(String name) {
    return slot(name).shape.clone();
  }

  /**
   * One value view over tensors that lie next to each other in the layout, concatenated along
   * their first dimension (e.g. the query, key and value weights [h, h] of an attention layer as
   * one fused [3h, h] weight). The tensors must be adjacent, in this order, with equal trailing
   * dimensions.
   */
  public INDArray fusedValue(String... names) {
    return fused(values, names);
  }

  /** The gradient view matching {@link #fusedValue}. */
  public INDArray fusedGrad(String... names) {
    return fused(grads(), names);
  }

  private INDArray fused(INDArray flat, String... names) {
    if (names.length == 0) {
      throw new IllegalArgumentException("no tensors to fuse");
    }
    Slot first = slot(names[0]);
    long[] shape = first.shape.clone();
    long end = first.offset + numel(first.shape);
    for (int i = 1; i < names.length; i++) {
      Slot s = slot(names[i]);
      if (s.offset != end) {
        throw new IllegalArgumentException("'" + names[i] + "' does not follow '" + names[i - 1] + "' in the layout");
      }
      if (s.shape.length != shape.length || s.shape.length == 0
          || !Arrays.equals(Arrays.copyOfRange(s.shape, 1, s.shape.length), Arrays.copyOfRange(shape, 1, shape.length))) {
        throw new IllegalArgumentException("cannot fuse '" + names[i] + "' " + shapeText(s.shape)
            + " with '" + names[0] + "' " + shapeText(first.shape) + ": trailing dimensions differ");
      }
      shape[0] += s.shape[0];
      end += numel(s.shape);
    }
    return FlatView.of(flat, first.offset, shape);
  }

  /** Where the tensor starts in the flat buffers. */
  public long offset(String name) {
    return slot(name).offset;
  }

  /** Number of elements of one tensor. */
  public long numel(String name) {
    return numel(slot(name).shape);
  }

  /** All values, flat, in layout order. */
  public INDArray values() {
    return values;
  }

  /** All gradients, flat, in layout order (zeros when first asked for). */
  public INDArray grads() {
    if (grads == null) {
      grads = Nd4j.zeros(dataType, values.length());
    }
    return grads;
  }

  /** Whether the gradient buffer exists (a model that has only predicted holds none). */
  public boolean hasGrads() {
    return grads != null;
  }

  /** Total number of scalars. */
  public long size() {
    return values.length();
  }

  /** FLOAT for training and serving, DOUBLE for gradient checks. */
  public DataType dataType() {
    return dataType;
  }

  /**
   * A value computed from the weights by {@code make} (e.g. a packed copy of one weight for the
   * inference GEMM), made by the first call for {@code key} and kept, for this model and the
   * replicas that share its parameters, until {@link #changed()}. Safe from several threads.
   */
  public <T> T derived(String key, Class<T> type, Supplier<T> make) {
    return type.cast(derived.computeIfAbsent(key, k -> make.get()));
  }

  /**
   * Says that the values were written: drops everything {@link #derived} made from the old ones. The
   * optimizers, the weight average and loading call it; call it after writing into {@link #value},
   * {@link #fusedValue} or {@link #values()} directly.
   */
  public void changed() {
    derived.clear();
  }

  /** Sets every gradient to zero (one op over the flat buffer; nothing before it exists). */
  public void zeroGrad() {
    if (hasGrads()) {
      Flat.zero(grads);
    }
  }

  private Slot slot(String name) {
    Slot s = slots.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no parameter named '" + name + "'");
    }
    return s;
  }

  @Override
  public String toString() {
    return "Parameters[" + slots.size() + " tensors, " + size() + " scalars, " + dataType + "]";
  }

  /** Shape as text, e.g. {@code [384, 1536]}, for error messages. */
  public static String shapeText(long[] shape) {
    return Arrays.toString(shape);
  }
}
