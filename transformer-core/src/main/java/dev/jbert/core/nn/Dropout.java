package dev.jbert.core.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout as {@code torch.nn.Dropout}: in training each element is kept with probability
 * 1 − p and scaled by 1/(1 − p); in eval mode, with p = 0, or with dropout switched off in the
 * {@link TrainingMode}, it is the identity and returns its input. The mask of the last forward is
 * kept for the backward pass.
 */
public final class Dropout {

  private static final int BLOCK = 4096; // elements per random sub-stream: masks do not depend on the thread count

  private final double p;
  private final double scale;
  private final long threshold;   // p · 2^32: a 32-bit uniform below it drops the element
  private final TrainingMode mode;
  private final Buffers buffers;
  private final long[] shape;
  private final int n;
  private INDArray y;           // input's shape, allocated by the first active forward
  private INDArray dx;
  private boolean[] keep;       // [n] the mask of the last active forward
  private boolean active;       // whether the last forward dropped anything

  /** @param shape the shape of every input */
  public Dropout(double p, TrainingMode mode, Buffers buffers, long... shape) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
    }
    this.p = p;
    this.scale = 1.0 / (1.0 - p);
    this.threshold = (long) Math.ceil(p * 4294967296.0);
    this.mode = mode;
    this.buffers = buffers;
    this.shape = shape.clone();
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    this.n = Math.toIntExact(count);
  }

  /** x → x ⊙ mask / (1 − p) in training, else x itself. */
  public INDArray forward(INDArray x) {
    active = mode.dropoutActive() && p > 0;
    if (!active) {
      return x;
    }
    if (y == null) {
      y = buffers.zeros(shape);
      keep = new boolean[n];
    }
    long seed = mode.nextMaskSeed();
    int blocks = (n + BLOCK - 1) / BLOCK;
    Parallel.rows(blocks, 4, (part, from, to) -> {
      for (int b = from; b < to; b++) {
        drawMask(new SplittableRandom(blockSeed(seed, b)), b * BLOCK, Math.min(BLOCK, n - b * BLOCK));
      }
    });
    applyMask(x, y);
    return y;
  }

  /** dy → dy ⊙ mask / (1 − p) with the last mask, or dy itself when the last forward was the identity. */
  public INDArray backward(INDArray dy) {
    if (!active) {
      return dy;
    }
    if (dx == null) {
      dx = buffers.gradient(shape);
    }
    applyMask(dy, dx);
    return dx;
  }

  /**
   * The backward pass fused into a caller's row kernel: multiplies {@code row[off, off + len)}, the
   * gradient of output elements {@code [from, from + len)}, by the last mask and 1/(1 − p) in place
   * (the same arithmetic as {@link #backward}); nothing when the last forward was the identity.
   */
  public void backwardInPlace(int from, float[] row, int off, int len) {
    if (!active) {
      return;
    }
    float scaleF = (float) scale;
    for (int i = 0; i < len; i++) {
      row[off + i] = keep[from + i] ? row[off + i] * scaleF : 0f;
    }
  }

  /** The double twin of {@link #backwardInPlace(int, float[], int, int)}. */
  public void backwardInPlace(int from, double[] row, int off, int len) {
    if (!active) {
      return;
    }
    for (int i = 0; i < len; i++) {
      row[off + i] = keep[from + i] ? row[off + i] * scale : 0.0;
    }
  }

  /** dst = src ⊙ keep / (1 − p), in double rows for DOUBLE arrays and float rows for FLOAT. */
  private void applyMask(INDArray src, INDArray dst) {
    Flat in = Flat.of(src);
    Flat out = Flat.of(dst);
    boolean exact = src.dataType() == DataType.DOUBLE;
    float scaleF = (float) scale;
    int blocks = (n + BLOCK - 1) / BLOCK;
    Parallel.rows(blocks, 4, (part, from, to) -> {
      double[] v = exact ? new double[BLOCK] : null;
      float[] vf = exact ? null : new float[BLOCK];
      for (int b = from; b < to; b++) {
        int start = b * BLOCK;
        int len = Math.min(BLOCK, n - start);
        if (exact) {
          in.get(start, v, 0, len);
          for (int i = 0; i < len; i++) {
            v[i] = keep[start + i] ? v[i] * scale : 0.0;
          }
          out.put(start, v, 0, len);
        } else {
          in.get(start, vf, 0, len);
          for (int i = 0; i < len; i++) {
            vf[i] = keep[start + i] ? vf[i] * scaleF : 0f;
          }
          out.put(start, vf, 0, len);
        }
      }
    });
  }

  /** keep[start, start + len) from two 32-bit uniforms per draw: an element is dropped when its uniform is below p·2^32. */
  private void drawMask(SplittableRandom rng, int start, int len) {
    for (int i = 0; i < len; i += 2) {
      long bits = rng.nextLong();
      keep[start + i] = (bits >>> 32) >= threshold;
      if (i + 1 < len) {
        keep[start + i + 1] = (bits & 0xFFFFFFFFL) >= threshold;
      }
    }
  }

  /**
   * A well-mixed seed per block (Stafford's mix13 of seed + b·γ). Seeds that differ by multiples of
   * SplittableRandom's own γ would give streams that are shifted copies of each other.
   */
  private static long blockSeed(long seed, int block) {
    long z = seed + block * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Whether the last forward applied a mask. */
  public boolean wasActive() {
    return active;
  }
}
