package dev.jbert.optim;

import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.StoredTensor;
import dev.jbert.core.kernel.Flat;
import dev.jbert.core.param.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An exponential moving average of the parameters (Polyak averaging; timm's {@code ModelEmaV2},
 * TensorFlow's {@code ExponentialMovingAverage} with {@code num_updates}): after optimizer step t,
 * {@code avg ← avg + (1 − d_t)·(θ − avg)} with {@code d_t = min(decay, (1 + t) / (10 + t))}. The
 * short memory of the first steps keeps the average from dragging the pre-trained weights along
 * into a fine-tuning run of a few thousand steps. The average starts as a copy of the parameters.
 * An update is two passes of native element-wise code over the flat buffer (scale, then BLAS axpy:
 * MiniLM's 22.7M floats in 19 ms on two cores, as fast as a fused Java loop, which took 20 ms in
 * float and 29 ms in double), the same code for FLOAT and DOUBLE; a parameter that does not move
 * (a frozen one) may differ from its average in the last bit.
 *
 * <p>To evaluate or save the averaged model, {@link #swap()} exchanges the average with the live
 * parameters; a second swap puts the live ones back, bit for bit. The average is saved per
 * parameter name ({@value #FILE_NAME}, F32, metadata {@code decay} and {@code updates}) so that a
 * resumed run continues it exactly and the file reads as a model's weights in Python.
 */
public final class WeightAverage {

  /** The file name inside a checkpoint directory. */
  public static final String FILE_NAME = "ema.safetensors";

  private final Parameters params;
  private final INDArray average; // [size] in the parameters' precision and layout
  private final Flat averaged;    // the average's memory, for saving and loading
  private final double decay;
  private long updates;

  /**
   * An average of {@code params} starting at their current values.
   *
   * @param decay the largest per-step decay, in (0, 1); 0.999 averages over roughly the last thousand steps
   */
  public WeightAverage(Parameters params, double decay) {
    if (!(decay > 0 && decay < 1)) {
      throw new IllegalArgumentException("weight-average decay must be in (0, 1), got " + decay);
    }
    this.params = params;
    this.decay = decay;
    this.average = params.values().dup();
    this.averaged = Flat.of(average);
  }

  /** The decay of update {@code t} (1-based): {@code min(decay, (1 + t) / (10 + t))}. */
  static double decayAt(double decay, long t) {
    return Math.min(decay, (1.0 + t) / (10.0 + t));
  }

  /** Folds the current parameters into the average; call once after every optimizer step. */
  public void update() {
    updates++;
    double keep = decayAt(decay, updates);
    average.muli(keep);                                                   // avg ← d·avg + (1 − d)·θ
    Nd4j.getBlasWrapper().level1().axpy(average.length(), 1 - keep, params.values(), average);
  }

  /** Exchanges the average and the live parameters (the model then holds the averaged weights). */
  public void swap() {
    Nd4j.getBlasWrapper().level1().swap(params.values(), average);
    params.changed();
  }

  /** Number of updates folded in so far. */
  public long updates() {
    return updates;
  }

  /** The largest per-step decay. */
  public double decay() {
    return decay;
  }

  /** Writes the average to {@code file} (atomically), one tensor per parameter name. */
  public void save(Path file) throws IOException {
    List<StoredTensor> tensors = new ArrayList<>();
    for (String name : params.names()) {
      int offset = Math.toIntExact(params.offset(name));
      tensors.add(StoredTensor.chunked(name, params.shape(name),
          (from, dst, count) -> averaged.get(offset + Math.toIntExact(from), dst, 0, count)));
    }
    Safetensors.write(file, tensors, Map.of("decay", Double.toString(decay), "updates", Long.toString(updates)));
  }

  /**
   * Restores the average {@link #save} wrote, for a resumed run; the file must hold every parameter
   * with its shape and the same decay.
   *
   * @throws CheckpointException naming the file and the first difference
   */
  public void load(Path file) throws IOException {
    Map<String, String> meta = Safetensors.metadata(file);
    String savedDecay = meta.get("decay");
    if (savedDecay == null || Double.parseDouble(savedDecay) != decay || meta.get("updates") == null) {
      throw new CheckpointException(file, String.format(Locale.ROOT,
          "the weight average was kept with decay %s; this run asks for %s", savedDecay, decay));
    }
    Map<String, StoredTensor> tensors = Safetensors.open(file);
    for (String name : params.names()) {
      StoredTensor t = tensors.get(name);
      if (t == null || !Arrays.equals(t.shape(), params.shape(name))) {
        throw new CheckpointException(file, "tensor '" + name + "' " + (t == null ? "is missing"
            : "has shape " + Parameters.shapeText(t.shape()) + ", the model's is " + Parameters.shapeText(params.shape(name))));
      }
    }
    for (String name : params.names()) {
      int offset = Math.toIntExact(params.offset(name));
      tensors.get(name).read((from, values, count) -> averaged.put(offset + Math.toIntExact(from), values, 0, count));
    }
    updates = Long.parseLong(meta.get("updates"));
  }
}
