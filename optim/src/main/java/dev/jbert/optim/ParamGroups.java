package dev.jbert.optim;

import dev.jbert.core.kernel.FlatView;
import dev.jbert.core.param.Parameters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-tensor optimizer settings chosen by name, and the same settings spread into per-element
 * vectors so that an optimizer step is a few element-wise ops instead of a loop over tensors.
 *
 * <p>Rules: a tensor matched by {@link OptimizerConfig#freeze()} is frozen (no moments, no decay, no
 * part in the gradient norm, value unchanged bit for bit); the others get weight decay unless
 * {@link OptimizerConfig#noDecay()} matches them and the learning-rate multiplier of {@link
 * LayerwiseLrDecay}.
 *
 * <p>The optimizer works on the <em>span</em>: the smallest contiguous range of the flat buffers
 * that holds every trainable tensor. Freezing the embeddings and lower layers (laid out first)
 * therefore takes them out of every per-step op; frozen tensors inside the span are handled by
 * zeroing their gradients.
 */
public final class ParamGroups {

  /**
   * One tensor's settings.
   *
   * @param name Hugging Face name
   * @param offset first element in the flat buffers
   * @param numel number of elements
   * @param trainable false when frozen
   * @param weightDecay decay coefficient (0 when frozen or exempt)
   * @param lrMultiplier layer-wise learning-rate multiplier (0 when frozen)
   */
  public record TensorGroup(String name, long offset, long numel, boolean trainable, double weightDecay, double lrMultiplier) {}

  /** A half-open range {@code [start, end)} of flat-buffer positions. */
  public record Range(long start, long end) {
    /** Number of elements in the range. */
    public long length() {
      return end - start;
    }
  }

  private final Map<String, TensorGroup> groups;
  private final Range span;
  private final List<Range> frozenInSpan;

  private ParamGroups(Map<String, TensorGroup> groups) {
    this.groups = Collections.unmodifiableMap(groups);
    long start = Long.MAX_VALUE;
    long end = 0;
    for (TensorGroup g : groups.values()) {
      if (g.trainable()) {
        start = Math.min(start, g.offset());
        end = Math.max(end, g.offset() + g.numel());
      }
    }
    this.span = new Range(start, end);
    this.frozenInSpan = mergeFrozenRuns(groups.values(), span);
  }

  /**
   * Applies {@code config}'s rules to every tensor of {@code params}.
   *
   * @throws IllegalArgumentException if the freeze filter matches no tensor (a misspelt prefix
   *     would otherwise silently train everything) or every tensor
   */
  public static ParamGroups of(Parameters params, OptimizerConfig config) {
    List<String> names = params.names();
    LayerwiseLrDecay llrd = LayerwiseLrDecay.forNames(config.layerwiseLrDecay(), names);
    Map<String, TensorGroup> groups = new LinkedHashMap<>();
    int frozen = 0;
    for (String name : names) {
      boolean trainable = !config.freeze().test(name);
      double wd = trainable && !config.noDecay().test(name) ? config.weightDecay() : 0.0;
      double lrMul = trainable ? llrd.multiplier(name) : 0.0;
      groups.put(name, new TensorGroup(name, params.offset(name), params.numel(name), trainable, wd, lrMul));
      frozen += trainable ? 0 : 1;
    }
    if (frozen == 0 && !config.freeze().isNone()) {
      throw new IllegalArgumentException("freeze filter " + config.freeze() + " matches no parameter of " + params);
    }
    if (frozen == names.size()) {
      throw new IllegalArgumentException("freeze filter " + config.freeze() + " freezes every parameter of " + params);
    }
    return new ParamGroups(groups);
  }

  private static List<Range> mergeFrozenRuns(Iterable<TensorGroup> groups, Range span) {
    List<Range> runs = new ArrayList<>();
    for (TensorGroup g : groups) {
      long start = Math.max(g.offset(), span.start());
      long end = Math.min(g.offset() + g.numel(), span.end());
      if (g.trainable() || start >= end) {
        continue;
      }
      Range last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && last.end() == start) {
        runs.set(runs.size() - 1, new Range(last.start(), end));
      } else {
        runs.add(new Range(start, end));
      }
    }
    return List.copyOf(runs);
  }

  /** Every tensor's settings, in layout order. */
  public List<TensorGroup> tensors() {
    return List.copyOf(groups.values());
  }

  /** The settings of one tensor. */
  public TensorGroup group(String name) {
    TensorGroup g = groups.get(name);
    if (g == null) {
      throw new IllegalArgumentException("no parameter named '" + name + "'");
    }
    return g;
  }

  /** Whether the tensor is trained (a model may skip computing gradients of the others). */
  public boolean isTrainable(String name) {
    return group(name).trainable();
  }

  /** Names of the trainable tensors, in layout order. */
  public List<String> trainableNames() {
    return groups.values().stream().filter(TensorGroup::trainable).map(TensorGroup::name).toList();
  }

  /** The flat range that covers every trainable tensor. */
  public Range span() {
    return span;
  }

  /** Runs of frozen tensors inside the span, merged where adjacent. */
  public List<Range> frozenRangesInSpan() {
    return frozenInSpan;
  }

  /** Whether any trainable tensor has a learning-rate multiplier other than 1. */
  public boolean hasLrMultipliers() {
    return groups.values().stream().anyMatch(g -> g.trainable() && g.lrMultiplier() != 1.0);
  }

  /** Whether any tensor is decayed. */
  public boolean hasWeightDecay() {
    return groups.values().stream().anyMatch(g -> g.weightDecay() != 0.0);
  }

  /** Per-element weight decay over the span, {@code [span.length]} (Adam's L2 coefficient). */
  public INDArray weightDecayVector(DataType dataType) {
    return spanVector(dataType, TensorGroup::weightDecay);
  }

  /** Per-element learning-rate multiplier over the span, {@code [span.length]}; 0 where frozen. */
  public INDArray lrMultiplierVector(DataType dataType) {
    return spanVector(dataType, TensorGroup::lrMultiplier);
  }

  /** Per-element {@code lrMultiplier * weightDecay} over the span (AdamW's decoupled decay rate per unit lr). */
  public INDArray scaledWeightDecayVector(DataType dataType) {
    return spanVector(dataType, g -> g.lrMultiplier() * g.weightDecay());
  }

  private INDArray spanVector(DataType dataType, java.util.function.ToDoubleFunction<TensorGroup> value) {
    INDArray vec = Nd4j.zeros(dataType, span.length());
    for (TensorGroup g : groups.values()) {
      long start = Math.max(g.offset(), span.start());
      long end = Math.min(g.offset() + g.numel(), span.end());
      double v = value.applyAsDouble(g);
      if (start < end && v != 0.0) {
        FlatView.of(vec, start - span.start(), end - start).assign(v);
      }
    }
    return vec;
  }

  /** One line for logs: how many tensors and scalars are trained and decayed. */
  public String summary() {
    long trainT = 0;
    long trainN = 0;
    long decayT = 0;
    long total = 0;
    for (TensorGroup g : groups.values()) {
      total += g.numel();
      if (g.trainable()) {
        trainT++;
        trainN += g.numel();
        decayT += g.weightDecay() != 0.0 ? 1 : 0;
      }
    }
    return String.format("trainable %d/%d tensors (%d/%d scalars), %d decayed; span [%d, %d)",
        trainT, groups.size(), trainN, total, decayT, span.start(), span.end());
  }
}
