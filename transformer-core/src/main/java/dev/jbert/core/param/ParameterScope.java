package dev.jbert.core.param;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where modules declare their parameters, each under its Hugging Face name, as candle's
 * {@code VarBuilder}: {@code scope.pp("attention").pp("self")} is the scope of
 * {@code attention.self.*}. A module declares each tensor once, in its constructor, and keeps the
 * {@link Tensor} handle; the model's parameter list is then whatever its modules declared, in the
 * order they declared it. {@link #build} lays every declared tensor out in one {@link Parameters}
 * and binds the handles to it.
 */
public final class ParameterScope {

  private final Root root;
  private final String prefix;

  /** What every scope of one model shares: the layout being declared and the handles to bind. */
  private static final class Root {
    final Parameters.Builder layout = Parameters.builder();
    final List<Tensor> handles = new ArrayList<>();
    Parameters built;
  }

  private ParameterScope(Root root, String prefix) {
    this.root = root;
    this.prefix = prefix;
  }

  /** An empty model: the scope of unprefixed names. */
  public static ParameterScope root() {
    return new ParameterScope(new Root(), "");
  }

  /** The scope of {@code name.*} inside this one ("push prefix"); {@code pp("")} is this scope. */
  public ParameterScope pp(String name) {
    return name.isEmpty() ? this : new ParameterScope(root, prefix + name + ".");
  }

  /** {@link #pp(String)} for a numbered child, as {@code encoder.layer.3}. */
  public ParameterScope pp(int index) {
    return pp(Integer.toString(index));
  }

  /** Declares the tensor {@code name} of this scope. */
  public Tensor tensor(String name, long... shape) {
    checkOpen();
    root.layout.add(prefix + name, shape);
    return register(new Tensor(new String[] {prefix + name}));
  }

  /**
   * Declares {@code child.suffix} for each child, next to each other in the layout, and returns
   * them as one tensor concatenated along the first dimension: e.g. the query, key and value
   * weights [h, h] as one [3h, h] weight, so that the three projections are one GEMM.
   */
  public Tensor fused(List<String> children, String suffix, long rowsEach, long... trailing) {
    checkOpen();
    long[] shape = new long[trailing.length + 1];
    shape[0] = rowsEach;
    System.arraycopy(trailing, 0, shape, 1, trailing.length);
    String[] names = new String[children.size()];
    for (int i = 0; i < names.length; i++) {
      names[i] = prefix + children.get(i) + "." + suffix;
      root.layout.add(names[i], shape);
    }
    return register(new Tensor(names));
  }

  /** The {@code weight} [out, in] and {@code bias} [out] of a {@code torch.nn.Linear} called {@code name}. */
  public Linear linear(String name, long out, long in) {
    ParameterScope s = pp(name);
    return new Linear(s.tensor("weight", out, in), s.tensor("bias", out));
  }

  /** The {@code weight} and {@code bias} [width] of a {@code torch.nn.LayerNorm} called {@code name}. */
  public Norm layerNorm(String name, long width) {
    ParameterScope s = pp(name);
    return new Norm(s.tensor("weight", width), s.tensor("bias", width));
  }

  /**
   * Allocates every tensor declared in this model's scopes (zero-filled, in declaration order) and
   * binds their handles. Once per model, on any of its scopes.
   */
  public Parameters build(DataType dataType) {
    checkOpen();
    Parameters p = root.layout.build(dataType);
    root.built = p;
    for (Tensor t : root.handles) {
      t.bind(p);
    }
    return p;
  }

  /**
   * Binds the handles declared in this model's scopes to {@code existing} instead of new buffers, so
   * that a second model (a serving replica) reads the same weights. Once per model, on any of its scopes.
   *
   * @throws IllegalArgumentException when {@code existing} was not laid out by the same declarations
   */
  public Parameters share(Parameters existing) {
    checkOpen();
    if (!root.layout.describes(existing)) {
      throw new IllegalArgumentException("the parameters to share were laid out by other declarations");
    }
    root.built = existing;
    for (Tensor t : root.handles) {
      t.bind(existing);
    }
    return existing;
  }

  private Tensor register(Tensor t) {
    root.handles.add(t);
    return t;
  }

  private void checkOpen() {
    if (root.built != null) {
      throw new IllegalStateException("the parameters of this model are already built");
    }
  }

  /** A linear layer's parameters. */
  public record Linear(Tensor weight, Tensor bias) {}

  /** A layer norm's parameters. */
  public record Norm(Tensor weight, Tensor bias) {}

  /**
   * A declared tensor (or a fused run of adjacent ones): its value once built, and its gradient,
   * asked for only by a backward pass, so that a model that only predicts allocates none.
   */
  public static final class Tensor {
    private final String[] names;
    private Parameters parameters;
    private INDArray value;
    private INDArray grad;

    private Tensor(String[] names) {
      this.names = names;
    }

    private void bind(Parameters p) {
      this.parameters = p;
      this.value = names.length == 1 ? p.value(names[0]) : p.fusedValue(names);
    }

    /** The value, a view into {@link Parameters#values()}. */
    public INDArray value() {
      if (value == null) {
        throw new IllegalStateException("parameter " + names[0] + " is declared but not built yet");
      }
      return value;
    }

    /** The gradient, a view into {@link Parameters#grads()} (which this first call may allocate). */
    public INDArray grad() {
      if (grad == null) {
        value();
        grad = names.length == 1 ? parameters.grad(names[0]) : parameters.fusedGrad(names);
      }
      return grad;
    }

    /**
     * A value computed from this tensor's value by {@code make} and kept until the parameters change
     * ({@link Parameters#derived}, {@link Parameters#changed()}), e.g. its packed copy for inference.
     */
    public <T> T derived(Class<T> type, Function<INDArray, T> make) {
      INDArray v = value();
      return parameters.derived(String.join("+", names) + "#" + type.getName(), type, () -> make.apply(v));
    }

    /** Number of scalars of the whole model this tensor belongs to ({@link Parameters#size()}). */
    public long modelSize() {
      value();
      return parameters.size();
    }

    /** The (first) full name. */
    public String name() {
      return names[0];
    }
  }
}
