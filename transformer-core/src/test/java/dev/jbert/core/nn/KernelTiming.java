package dev.jbert.core.nn;

import dev.jbert.core.backend.Backend;
import dev.jbert.core.param.Parameters;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNormBp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Timing harness (run by hand, not a unit test): the Java kernels of LayerNorm and GELU against
 * ND4J's own ops at MiniLM shapes ([2048, 384] and [2048, 1536], float). Variants run round-robin so
 * that load from other processes hits them alike; prints min and median of 20 rounds.
 */
public final class KernelTiming {

  private KernelTiming() {}

  public static void main(String[] args) {
    Backend.init();
    int rows = 2048;
    int hidden = 384;
    int inter = 1536;
    Parameters p = Parameters.builder().add("ln.weight", hidden).add("ln.bias", hidden).build(DataType.FLOAT);
    p.value("ln.weight").assign(1.0);
    INDArray x = Nd4j.rand(DataType.FLOAT, rows, hidden);
    INDArray res = Nd4j.rand(DataType.FLOAT, rows, hidden);
    INDArray dy = Nd4j.rand(DataType.FLOAT, rows, hidden);
    INDArray sum = Nd4j.zeros(DataType.FLOAT, rows, hidden);
    INDArray out = Nd4j.zeros(DataType.FLOAT, rows, hidden);
    INDArray dxNd = Nd4j.zeros(DataType.FLOAT, rows, hidden);
    INDArray dg = Nd4j.zeros(DataType.FLOAT, hidden);
    INDArray db = Nd4j.zeros(DataType.FLOAT, hidden);
    INDArray z = Nd4j.rand(DataType.FLOAT, rows, inter).subi(0.5).muli(6);
    INDArray dz = Nd4j.rand(DataType.FLOAT, rows, inter);
    INDArray g = Nd4j.zeros(DataType.FLOAT, rows, inter);
    INDArray e = Nd4j.zeros(DataType.FLOAT, rows, inter);
    try (Buffers buffers = new Buffers(DataType.FLOAT)) {
      Ops.LayerNormOp ln = Ops.LayerNormOp.of(p, "ln", 1e-12, buffers, rows);
      Ops.ActivationOp gelu = new Ops.ActivationOp("gelu", buffers, rows, inter);
      Map<String, Runnable> variants = new LinkedHashMap<>();
      variants.put("LayerNorm fwd, Java kernel (x + residual)", () -> ln.forward(x, res));
      variants.put("LayerNorm fwd, ND4J add + layer_norm op", () -> {
        x.add(res, sum);
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm(sum, p.value("ln.weight"), p.value("ln.bias"), out, true, 1));
      });
      variants.put("LayerNorm bwd, Java kernel", () -> ln.backward(dy));
      variants.put("LayerNorm bwd, ND4J layer_norm_bp op", () -> Nd4j.exec(new LayerNormBp(sum, p.value("ln.weight"),
          p.value("ln.bias"), dy, dxNd, dg, db, true, 1)));
      variants.put("GELU fwd, Java kernel", () -> gelu.forward(z));
      variants.put("GELU fwd, ND4J erf chain (4 ops)", () -> {
        z.mul(0.7071067811865476, e);
        Nd4j.exec(new Erf(e, e));
        e.addi(1.0).muli(z).muli(0.5);
      });
      variants.put("GELU bwd, Java kernel", () -> gelu.backward(dz));
      variants.put("GELU bwd, ND4J chain (erf, exp, 8 ops)", () -> {
        z.mul(0.7071067811865476, e);
        Nd4j.exec(new Erf(e, e));
        e.addi(1.0).muli(0.5);                                     // Φ(z)
        z.mul(z, g).muli(-0.5);
        org.nd4j.linalg.ops.transforms.Transforms.exp(g, false).muli(z).muli(0.3989422804014327); // z φ(z)
        g.addi(e).muli(dz);
      });
      double[][] t = new double[variants.size()][20];
      Runnable[] rs = variants.values().toArray(new Runnable[0]);
      for (int round = -3; round < 20; round++) {
        for (int i = 0; i < rs.length; i++) {
          long start = System.nanoTime();
          rs[i].run();
          if (round >= 0) {
            t[i][round] = (System.nanoTime() - start) / 1e6;
          }
        }
      }
      int i = 0;
      for (String name : variants.keySet()) {
        Arrays.sort(t[i]);
        System.out.printf("%-44s min %6.2f ms  median %6.2f ms%n", name, t[i][0], t[i][10]);
        i++;
      }
    }
  }
}
