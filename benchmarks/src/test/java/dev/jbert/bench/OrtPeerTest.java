package dev.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OrtPeerTest {

  private static Path miniLm() {
    Path dir = Path.of(System.getProperty("jbert.shared", "../../shared")).resolve("models/all-MiniLM-L6-v2");
    assertTrue(Files.isDirectory(dir), "shared model missing: " + dir.toAbsolutePath());
    return dir;
  }

  /** The comparison of jbert-bench is of one function: jbert and ONNX Runtime agree on the same weights. */
  @Test
  void jbertAndOnnxRuntimeComputeTheSameLastHiddenState() throws Exception {
    BenchReport.SameFunction same = JbertBench.sameFunction(miniLm());
    assertEquals(16, same.tokens());
    assertTrue(same.maxAbsDiff() < 1e-4, "max |diff| " + same.maxAbsDiff());
    assertTrue(same.maxAbsDiff() > 0, "float kernels on both sides: some rounding difference is expected");
  }

  @Test
  void onnxRuntimeIsGivenTheIdsJbertIsTimedOn() {
    Workload w = new Workload(ModelShape.MINILM, Workload.Mode.INFER, 2, 8);
    int[][] ids = OrtPeer.randomIds(w);
    assertArrayEquals(JbertTiming.randomBatch(new Random(0), 2, 8, 30522).inputIds(),
        new int[] {ids[0][0], ids[0][1], ids[0][2], ids[0][3], ids[0][4], ids[0][5], ids[0][6], ids[0][7],
            ids[1][0], ids[1][1], ids[1][2], ids[1][3], ids[1][4], ids[1][5], ids[1][6], ids[1][7]});
  }
}
