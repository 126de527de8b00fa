package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.param.Parameters;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** A small BERT-shaped parameter layout (HF names, 2 encoder layers) and helpers over flat arrays. */
final class TinyLayout {

  /** Names and shapes in layout order. */
  static final Map<String, long[]> SHAPES = new LinkedHashMap<>();

  static {
    SHAPES.put("bert.embeddings.word_embeddings.weight", new long[] {7, 4});
    SHAPES.put("bert.embeddings.LayerNorm.weight", new long[] {4});
    SHAPES.put("bert.embeddings.LayerNorm.bias", new long[] {4});
    SHAPES.put("bert.encoder.layer.0.attention.self.query.weight", new long[] {4, 4});
    SHAPES.put("bert.encoder.layer.0.attention.self.query.bias", new long[] {4});
    SHAPES.put("bert.encoder.layer.0.output.LayerNorm.weight", new long[] {4});
    SHAPES.put("bert.encoder.layer.1.attention.self.query.weight", new long[] {4, 4});
    SHAPES.put("bert.encoder.layer.1.attention.self.query.bias", new long[] {4});
    SHAPES.put("bert.encoder.layer.1.output.LayerNorm.bias", new long[] {4});
    SHAPES.put("bert.pooler.dense.weight", new long[] {4, 4});
    SHAPES.put("bert.pooler.dense.bias", new long[] {4});
    SHAPES.put("classifier.weight", new long[] {3, 4});
    SHAPES.put("classifier.bias", new long[] {3});
  }

  private TinyLayout() {}

  /** The layout with values ~ N(0, 0.5) from {@code seed} (exactly representable in float). */
  static Parameters random(DataType dataType, long seed) {
    Parameters.Builder b = Parameters.builder();
    SHAPES.forEach(b::add);
    Parameters params = b.build(dataType);
    Random rnd = new Random(seed);
    double[] values = new double[(int) params.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (0.5 * rnd.nextGaussian());
    }
    set(params, values, false);
    return params;
  }

  /** A gradient vector ~ N(0, scale), float-representable. */
  static double[] gradient(Parameters params, Random rnd, double scale) {
    double[] g = new double[(int) params.size()];
    for (int i = 0; i < g.length; i++) {
      g[i] = (float) (scale * rnd.nextGaussian());
    }
    return g;
  }

  /** Copies {@code data} into the values (or gradients) of {@code params}. */
  static void set(Parameters params, double[] data, boolean grads) {
    (grads ? params.grads() : params.values()).assign(Nd4j.createFromArray(data).castTo(params.dataType()));
  }

  static double[] values(Parameters params) {
    return params.values().toDoubleVector();
  }

  /** Per-element copy of a per-tensor setting. */
  static double[] perElement(Parameters params, java.util.function.ToDoubleFunction<String> perTensor) {
    double[] out = new double[(int) params.size()];
    for (String name : params.names()) {
      int off = (int) params.offset(name);
      java.util.Arrays.fill(out, off, off + (int) params.numel(name), perTensor.applyAsDouble(name));
    }
    return out;
  }

  /**
   * Per tensor: {@code max|actual - expected| <= rtol * max|expected|} (SOURCE.md's tolerance rule).
   */
  static void assertClosePerTensor(Parameters params, double[] expected, double[] actual, double rtol, String what) {
    for (String name : params.names()) {
      int off = (int) params.offset(name);
      int n = (int) params.numel(name);
      double maxRef = 0;
      double maxDiff = 0;
      for (int i = off; i < off + n; i++) {
        maxRef = Math.max(maxRef, Math.abs(expected[i]));
        maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
      }
      double bound = rtol * maxRef;
      double diff = maxDiff;
      assertTrue(diff <= bound, () -> what + " " + name + ": max diff " + diff + " > " + bound);
    }
  }
}
