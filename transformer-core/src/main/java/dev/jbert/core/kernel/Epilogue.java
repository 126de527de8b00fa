package dev.jbert.core.kernel;

/**
 * What a product does to its output as it stores it: the activation of a linear layer with its
 * bias, applied by the packed batch-1 GEMM ({@link Gemm#matmul(org.nd4j.linalg.api.ndarray.INDArray,
 * PackedWeight, org.nd4j.linalg.api.ndarray.INDArray, Epilogue)}) to the columns each thread has
 * just computed, while they are in its cache, instead of by a pass of its own over the output after
 * both threads have finished. {@link Activation#epilogue} makes one.
 */
@FunctionalInterface
public interface Epilogue {

  /**
   * Applies the function in place to {@code row[offset, offset + length)}, which holds the columns
   * {@code [column, column + length)} of one output row.
   */
  void apply(float[] row, int offset, int length, int column);
}
