package dev.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTableTest {

  private static Measurement m(String side, double ms, int batch, double rss) {
    return new Measurement(side, "w", 5, ms, ms, ms, batch / (ms / 1e3), 100, rss, null, null, null);
  }

  private static BenchReport report() {
    return report("OPENBLAS");
  }

  private static BenchReport report(String blas) {
    BenchReport.Machine machine = new BenchReport.Machine("Test CPU", List.of("avx2", "fma"), 2, 2, "Java 17",
        "PASSIVE", blas, "Haswell", "0.10 0.20 0.30");
    List<BenchReport.Row> rows = List.of(
        new BenchReport.Row("minilm infer 32x64", "infer", m("jbert", 200, 32, 500), m("onnxruntime", 400, 32, 450), null,
            null, "not installed"),
        new BenchReport.Row("base infer 32x64", "infer", m("jbert", 2000, 32, 1300), null, "no export",
            m("torch", 2500, 32, 800), null));
    TokenizerThroughput.Rates rates = new TokenizerThroughput.Rates(10, 1000, 0, 3, 4e6, 2e5, 5e6, 1e5);
    BenchReport.Startup startup = new BenchReport.Startup("minilm", List.of(new StartupTiming.Predict(1500, 1800),
        new StartupTiming.Predict(1300, 1600), new StartupTiming.Predict(1700, 2000)), null,
        new StartupTiming.InProcess(80, 900, 700, 12));
    return new BenchReport("2026-01-01T00:00:00Z", machine, true, 5, 2, new SgemmCeiling(2048, 768, 3072, 200, 210),
        rows, new BenchReport.SameFunction("text", 14, 2.5e-6), new BenchReport.Tokenizer("train.csv", "HF 0.21", rates),
        startup, List.of("PyTorch: not installed"), "0.40 0.50 0.60");
  }

  @Test
  void tablePutsPeersBesideJbertWithRatiosAndSaysWhyOneIsMissing() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BenchTable.print(report(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("Test CPU, 2 cores, AVX2 (flags: avx2 fma); OpenBLAS kernels: Haswell;"), text);
    assertTrue(text.contains("SGEMM ceiling: the faster of Gemm.matmul and Nd4j.gemm on the BLAS library's threads, 2048x768x3072 into a preallocated output, 200 GFLOP/s"), text);
    // ORT twice as slow: 2.00x; jbert's 100 GFLOP/s is 50% of the 200 GFLOP/s ceiling.
    assertTrue(text.contains("| minilm infer 32x64 | 200.0 | 400.0 | not installed | 160.00 | 80.00 | – | 2.00x | – | 100"
        + " | 50% | 100 | – | 500 | 450 | – |"), text);
    assertTrue(text.contains("| base infer 32x64 | 2000.0 | no export | 2500.0 |"), text);
    assertTrue(text.contains("| – | 1.25x |"), text);
    assertTrue(text.contains("first answer, MiniLM (median of 3 after 1 untimed; exit 1800 ms) | 1500 ms"), text);
    assertTrue(text.contains("fromPretrained 900 ms + first forward 700 ms (second 12.0 ms; JVM up 80 ms before) | 1600 ms"),
        text);
    assertTrue(text.contains("| 4.00 M | HF 0.21 0.20 M | 20.0x |"), text);
    assertTrue(text.contains("1x14 tokens | 2.50e-06 |"), text);
    assertTrue(text.contains("note: PyTorch: not installed"), text);
  }

  @Test
  void headerNamesMklWhereTheProductsRanOnIt() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BenchTable.print(report("MKL"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("(flags: avx2 fma); BLAS: Intel MKL; Java 17;"), text);
    assertFalse(text.contains("OpenBLAS kernels"), text);
  }

  @Test
  void jsonHoldsEveryMeasurementAndNote() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode tree = json.readTree(json.writeValueAsString(report()));
    assertEquals("Test CPU", tree.at("/machine/cpuModel").asText());
    assertEquals(200, tree.at("/sgemm/gflopsMedian").asDouble());
    assertEquals(400, tree.at("/rows/0/ort/msMedian").asDouble());
    assertEquals("not installed", tree.at("/rows/0/torchNote").asText());
    assertEquals("no export", tree.at("/rows/1/ortNote").asText());
    assertEquals(2500, tree.at("/rows/1/torch/msMedian").asDouble());
    assertEquals(1300, tree.at("/startup/predict/1/firstAnswerMs").asDouble());
    assertEquals(900, tree.at("/startup/inProcess/loadMs").asDouble());
    assertEquals(2.5e-6, tree.at("/sameFunction/maxAbsDiff").asDouble());
    assertEquals(4e6, tree.at("/tokenizer/rates/jbertPerS").asDouble());
    assertEquals(report(), json.readValue(json.writeValueAsString(report()), BenchReport.class));
  }
}
