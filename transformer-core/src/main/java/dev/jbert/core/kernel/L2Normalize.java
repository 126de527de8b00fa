package dev.jbert.core.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows scaled to unit length, as sentence-transformers' {@code Normalize} ({@code F.normalize(x, p=2,
 * dim=1)}): {@code out = x / max(‖x‖, 1e-12)}. One kernel over double rows for both precisions.
 */
public final class L2Normalize {

  /** {@code F.normalize}'s default eps. */
  static final double EPS = 1e-12;

  private L2Normalize() {}

  /**
   * @param out [rows, width] the unit rows
   * @param norms [rows] receives {@code max(‖x‖, eps)}, saved for the backward
   * @param inp [rows, width]
   */
  public static void forward(INDArray out, double[] norms, INDArray inp) {
    int rows = (int) inp.size(0);
    int width = (int) inp.size(1);
    double[] x = Flat.of(inp).toArray();
    for (int r = 0; r < rows; r++) {
      double ss = 0;
      for (int j = 0; j < width; j++) {
        ss += x[r * width + j] * x[r * width + j];
      }
      norms[r] = Math.max(Math.sqrt(ss), EPS);
      for (int j = 0; j < width; j++) {
        x[r * width + j] /= norms[r];
      }
    }
    Flat.of(out).put(0, x, 0, x.length);
  }

  /**
   * {@code dinp = (dout − out ⟨dout, out⟩) / ‖x‖} with {@code out} and {@code norms} from the forward
   * (where the norm was clamped to eps the output is {@code x / eps}, linear in x: {@code dinp = dout / eps}).
   */
  public static void backward(INDArray dinp, INDArray dout, INDArray out, double[] norms) {
    int rows = (int) out.size(0);
    int width = (int) out.size(1);
    double[] y = Flat.of(out).toArray();
    double[] g = Flat.of(dout).toArray();
    for (int r = 0; r < rows; r++) {
      double dot = 0;
      if (norms[r] > EPS) {
        for (int j = 0; j < width; j++) {
          dot += g[r * width + j] * y[r * width + j];
        }
      }
      for (int j = 0; j < width; j++) {
        g[r * width + j] = (g[r * width + j] - y[r * width + j] * dot) / norms[r];
      }
    }
    Flat.of(dinp).put(0, g, 0, g.length);
  }
}
