package dev.jbert.bench;

import java.util.Locale;

/**
 * What is timed: a training step (forward, cross-entropy, backward, AdamW) or inference (forward in
 * eval mode), at one batch × sequence length.
 *
 * @param shape the model shape
 * @param mode train or infer
 * @param batch sequences per batch
 * @param seq tokens per sequence (no padding)
 */
public record Workload(ModelShape shape, Mode mode, int batch, int seq) {

  /** Training step or forward only. */
  public enum Mode {
    TRAIN, INFER;

    /** {@code train} or {@code infer}, as the peer script names them. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** By {@link #id()}. */
    public static Mode byId(String id) {
      for (Mode m : values()) {
        if (m.id().equals(id)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown mode '" + id + "' (train or infer)");
    }
  }

  /** Checks sizes. */
  public Workload {
    if (batch < 1 || seq < 1 || seq > 512) {
      throw new IllegalArgumentException("batch must be >= 1 and seq in [1, 512], got " + batch + "x" + seq);
    }
  }

  /** FLOPs of one timed call: 3 × forward for a training step (backward ≈ 2 × forward), else 1 ×. */
  public double flops() {
    return (mode == Mode.TRAIN ? 3 : 1) * shape.forwardFlops(batch, seq);
  }

  /** Whether the ONNX Runtime peer runs this workload: inference of a shape it has an export of. */
  public boolean onnxRuntimeRuns() {
    return mode == Mode.INFER && shape.hasOnnxExport();
  }

  /** Calls averaged into one timed run: 20 for batch-1 inference (too short to time alone), else 1, as the peer. */
  public int callsPerRun() {
    return mode == Mode.INFER && batch == 1 ? 20 : 1;
  }

  /** e.g. {@code minilm train 32x64}. */
  @Override
  public String toString() {
    return shape.id() + " " + mode.id() + " " + batch + "x" + seq;
  }
}
