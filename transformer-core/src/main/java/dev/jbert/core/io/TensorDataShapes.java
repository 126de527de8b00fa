package dev.jbert.core.io;

/** Shape arithmetic shared by the checkpoint readers, with overflow checks. */
final class TensorDataShapes {
  private TensorDataShapes() {}

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
