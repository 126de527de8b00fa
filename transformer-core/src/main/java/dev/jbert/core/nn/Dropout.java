package dev.jbert.core.nn;

import java.util.SplittableRandom;
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
    Flat in = Flat.of(x);
    Flat out = Flat.of(y);
    int blocks = (n + BLOCK - 1) / BLOCK;
    Parallel.rows(blocks, 4, (part, from, to) -> {
      double[] v = new double[BLOCK];
      for (int b = from; b < to; b++) {
        SplittableRandom rng = new SplittableRandom(blockSeed(seed, b));
        int start = b * BLOCK;
        int len = Math.min(BLOCK, n - start);
        in.get(start, v, 0, len);
        for (int i = 0; i < len; i += 2) {
          long bits = rng.nextLong(); // two 32-bit uniforms per draw
          keep[start + i] = (bits >>> 32) >= threshold;
          if (i + 1 < len) {
            keep[start + i + 1] = (bits & 0xFFFFFFFFL) >= threshold;
          }
        }
        for (int i = 0; i < len; i++) {
          v[i] = keep[start + i] ? v[i] * scale : 0.0;
        }
        out.put(start, v, 0, len);
      }
    });
    return y;
  }

  /** dy → dy ⊙ mask / (1 − p) with the last mask, or dy itself when the last forward was the identity. */
  public INDArray backward(INDArray dy) {
    if (!active) {
      return dy;
    }
    if (dx == null) {
      dx = buffers.zeros(shape);
    }
    Flat dOut = Flat.of(dy);
    Flat dIn = Flat.of(dx);
    int blocks = (n + BLOCK - 1) / BLOCK;
    Parallel.rows(blocks, 4, (part, from, to) -> {
      double[] v = new double[BLOCK];
      for (int b = from; b < to; b++) {
        int start = b * BLOCK;
        int len = Math.min(BLOCK, n - start);
        dOut.get(start, v, 0, len);
        for (int i = 0; i < len; i++) {
          v[i] = keep[start + i] ? v[i] * scale : 0.0;
        }
        dIn.put(start, v, 0, len);
      }
    });
    return dx;
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
