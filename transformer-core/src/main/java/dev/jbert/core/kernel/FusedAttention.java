package dev.jbert.core.kernel;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Multi-head attention for inference (nothing saved for a backward, no dropout), fused per
 * (sequence, head): from the projection {@code qkv [rows, 3·hidden]} without its bias to the merged
 * context {@code [rows, hidden]}. The math is {@link Attention#forward}'s, {@code softmax(Q Kᵀ / √d +
 * mask) V} per head; what it leaves out is the work only a backward needs: the heads split into their
 * own arrays, the [batch·heads, seq, seq] probabilities written out and read back, and two OpenBLAS
 * calls per head. The scale goes into Q before the product instead of onto the scores (a float
 * rounding apart).
 *
 * <p>Each thread copies one sequence's rows of the projection at a time (3·hidden·seq floats: 295 KB
 * for MiniLM at 64 tokens, within a core's L2), runs its heads there and writes their context rows
 * back, so the projection crosses memory once; a single sequence's heads are shared between the
 * threads. Used where {@link #supports} says so: FLOAT arrays, the Vector API with 16-float vectors
 * (where the packed GEMM runs: {@link PackedWeight#preferred()}), heads a whole number of pairs of
 * vectors wide (32 and 64 values: MiniLM, bert-base). The kernel is {@link VectorAttention}.
 */
public final class FusedAttention {

  private FusedAttention() {}

  /**
   * Whether {@link #forward} runs for a FLOAT projection of heads of {@code headDim} values here. It
   * runs from a model's first forward on, without a warm-up of its own: {@code jbert predict}'s first
   * answer came as soon as with the batched path (1.62-2.03 s against 1.66-1.94 s, six alternated
   * runs each), while warming the kernel up beside the packed GEMM's warm-up made it 0.3 s later.
   */
  public static boolean supports(DataType type, int headDim) {
    return type == DataType.FLOAT && PackedWeight.wideVectors() && VectorAttention.supports(headDim);
  }

  /**
   * {@code out [batch·seq, hidden]} from {@code qkv [batch·seq, 3·hidden]} (without its bias) and
   * {@code qkvBias [3·hidden]}; {@code maskAdd [batch·seq]}: 0 for tokens, {@link
   * Attention#MASK_VALUE} for padded keys. Needs {@link #supports}.
   */
  public static void forward(INDArray out, INDArray qkv, INDArray qkvBias, double[] maskAdd, int heads, int seq) {
    int rows = (int) qkv.size(0);
    int width = (int) qkv.size(1);
    int hidden = width / 3;
    int d = hidden / heads;
    if (!supports(qkv.dataType(), d) || out.size(0) != rows || out.size(1) != hidden || rows % seq != 0) {
      throw new IllegalArgumentException("fused attention: qkv " + Arrays.toString(qkv.shape()) + " "
          + qkv.dataType() + ", out " + Arrays.toString(out.shape()) + ", " + heads + " heads, seq " + seq);
    }
    int batch = rows / seq;
    Flat in = Flat.of(qkv);
    Flat o = Flat.of(out);
    float[] bias = Flat.of(qkvBias).toFloats();
    float scale = (float) (1 / Math.sqrt(d));
    // units are (sequence, head) in order; a slice of them covers whole sequences but for its first
    // and last, and copies each sequence it touches once. At least a thread's share of one sequence's
    // heads a slice, so that a single sequence is copied once per thread, not once per head.
    Parallel.rows(batch * heads, Math.max(1, heads / Parallel.threads()), (part, from, to) -> {
      VectorAttention.Scratch s = VectorAttention.scratch();
      s.fit(seq, heads, d);
      for (int unit = from; unit < to; ) {
        int b = unit / heads;
        int firstHead = unit % heads;
        int endHead = Math.min(heads, firstHead + to - unit);
        in.get(b * seq * width, s.qkv, 0, seq * width);
        for (int j = 0; j < seq; j++) {
          s.mask[j] = (float) maskAdd[b * seq + j];
        }
        for (int h = firstHead; h < endHead; h++) {
          VectorAttention.head(bias, h, seq, heads, d, scale, s);
        }
        for (int i = 0; i < seq; i++) {
          o.put((b * seq + i) * hidden + firstHead * d, s.out, i * hidden + firstHead * d, (endHead - firstHead) * d);
        }
        unit += endHead - firstHead;
      }
    });
  }
}
