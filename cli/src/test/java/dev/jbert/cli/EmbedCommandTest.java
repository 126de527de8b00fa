package dev.jbert.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jbert embed} run in-process on the shared models, against the ONNX Runtime
 * {@code last_hidden_state} of their {@code reference/reference.json} (atol 1e-4 at real tokens).
 */
class EmbedCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double REFERENCE_ATOL = 1e-4;

  /** One reference input: its line of stdin and its expected hidden states at real tokens. */
  private record Case(String line, double[][] hidden) {}

  private static CliRun embed(String model, String stdin, String... options) {
    List<String> args = new ArrayList<>(List.of("embed", "--model", CliRun.model(model).toString()));
    args.addAll(List.of(options));
    CliRun run = CliRun.withStdin(stdin, args.toArray(String[]::new));
    assertEquals(0, run.exitCode(), run.err());
    return run;
  }

  /** Every text (and pair) of every case, one input line each, with its rows at attention-mask positions. */
  private static List<Case> referenceCases(String model) throws IOException {
    JsonNode root = JSON.readTree(CliRun.model(model).resolve("reference/reference.json").toFile());
    List<Case> cases = new ArrayList<>();
    for (JsonNode c : root.path("cases")) {
      for (int b = 0; b < c.path("texts").size(); b++) {
        ObjectNode line = JSON.createObjectNode().put("text", c.path("texts").get(b).asText());
        if (!c.path("text_pairs").isNull()) {
          line.put("text_pair", c.path("text_pairs").get(b).asText());
        }
        JsonNode mask = c.path("attention_mask").get(b);
        JsonNode rows = c.path("last_hidden_state").get(b);
        List<double[]> real = new ArrayList<>();
        for (int t = 0; t < mask.size(); t++) {
          if (mask.get(t).asInt() == 1) {
            real.add(JSON.convertValue(rows.get(t), double[].class));
          }
        }
        cases.add(new Case(line.toString(), real.toArray(double[][]::new)));
      }
    }
    return cases;
  }

  private static String stdin(List<Case> cases) {
    StringBuilder sb = new StringBuilder();
    cases.forEach(c -> sb.append(c.line()).append('\n'));
    return sb.toString();
  }

  private static double[][] matrix(String outputLine, String key) throws IOException {
    return JSON.convertValue(JSON.readTree(outputLine).get(key), double[][].class);
  }

  private static double[] vector(String outputLine) throws IOException {
    return JSON.convertValue(JSON.readTree(outputLine).get("embedding"), double[].class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"all-MiniLM-L6-v2", "bge-small-zh-v1.5"})
  void hiddenStatesMatchTheReferenceAtRealTokens(String model) throws Exception {
    List<Case> cases = referenceCases(model);
    CliRun run = embed(model, stdin(cases), "--pooling", "none", "--batch-size", "4");
    assertEquals(cases.size(), run.out().size());
    double worst = 0;
    for (int i = 0; i < cases.size(); i++) {
      double[][] expected = cases.get(i).hidden();
      double[][] got = matrix(run.out().get(i), "last_hidden_state");
      assertEquals(expected.length, got.length, model + " input " + i + ": one row per real token");
      for (int t = 0; t < expected.length; t++) {
        assertEquals(expected[t].length, got[t].length);
        for (int j = 0; j < expected[t].length; j++) {
          worst = Math.max(worst, Math.abs(expected[t][j] - got[t][j]));
        }
      }
    }
    System.out.printf("jbert embed %s: max |diff| to ONNX Runtime %.2e over %d inputs%n", model, worst, cases.size());
    assertTrue(worst <= REFERENCE_ATOL, model + ": max diff " + worst);
  }

  @Test
  void meanAndClsPoolTheRowsAndNormalizeGivesUnitLength() throws Exception {
    List<Case> cases = referenceCases("all-MiniLM-L6-v2");
    String in = stdin(cases);
    List<String> none = embed("all-MiniLM-L6-v2", in, "--pooling", "none").out();
    List<String> mean = embed("all-MiniLM-L6-v2", in, "--pooling", "mean").out();
    List<String> cls = embed("all-MiniLM-L6-v2", in, "--pooling", "cls").out();
    List<String> max = embed("all-MiniLM-L6-v2", in, "--pooling", "max").out();
    List<String> folderDefault = embed("all-MiniLM-L6-v2", in).out();
    List<String> unit = embed("all-MiniLM-L6-v2", in, "--pooling", "mean", "--normalize").out();
    for (int i = 0; i < cases.size(); i++) {
      double[][] rows = matrix(none.get(i), "last_hidden_state");
      double[] expectedMean = new double[rows[0].length];
      for (double[] row : rows) {
        for (int j = 0; j < row.length; j++) {
          expectedMean[j] += row[j] / rows.length;
        }
      }
      assertClose(expectedMean, vector(mean.get(i)), 1e-6, "mean of input " + i);
      assertClose(rows[0], vector(cls.get(i)), 1e-6, "cls of input " + i);
      double[] expectedMax = rows[0].clone();
      for (double[] row : rows) {
        for (int j = 0; j < row.length; j++) {
          expectedMax[j] = Math.max(expectedMax[j], row[j]);
        }
      }
      assertClose(expectedMax, vector(max.get(i)), 1e-6, "max of input " + i);
      assertClose(expectedMean, vector(folderDefault.get(i)), 1e-6, "no 1_Pooling/config.json: mean of input " + i);

      double[] normalized = vector(unit.get(i));
      assertEquals(1.0, norm(normalized), 1e-6, "norm of input " + i);
      double scale = norm(expectedMean);
      for (int j = 0; j < normalized.length; j++) {
        assertEquals(expectedMean[j] / scale, normalized[j], 1e-6, "normalized input " + i + " [" + j + "]");
      }
    }
  }

  @Test
  void batchingAndReadAheadDoNotChangeResultsOrOrder() throws Exception {
    List<Case> cases = referenceCases("bge-small-zh-v1.5");
    String in = stdin(cases);
    List<String> one = embed("bge-small-zh-v1.5", in, "--pooling", "none", "--batch-size", "1").out();
    List<String> four = embed("bge-small-zh-v1.5", in, "--pooling", "none", "--batch-size", "4").out();
    assertEquals(cases.size(), one.size());
    for (int i = 0; i < cases.size(); i++) {
      double[][] a = matrix(one.get(i), "last_hidden_state");
      double[][] b = matrix(four.get(i), "last_hidden_state");
      assertEquals(cases.get(i).hidden().length, a.length, "input " + i + " kept its place");
      assertEquals(a.length, b.length);
      for (int t = 0; t < a.length; t++) {
        assertClose(a[t], b[t], 1e-5, "input " + i + " token " + t);
      }
    }
  }

  @Test
  void maxLengthTruncatesLongestFirst() throws Exception {
    String line = "{\"text\": \"one two three four\", \"text_pair\": \"five six seven eight\"}\n";
    CliRun run = embed("all-MiniLM-L6-v2", line, "--pooling", "none", "--max-length", "8");
    assertEquals(8, matrix(run.out().get(0), "last_hidden_state").length);
  }

  @Test
  void badLineStopsWithItsNumberAndExitCode2AfterTheLinesBeforeIt() {
    String input = "{\"text\": \"fine\"}\n\n{\"text\": \"also fine\"}\n{\"txt\": \"typo\"}\n{\"text\": \"never reached\"}\n";
    CliRun run = CliRun.withStdin(input, "embed", "--model", CliRun.model("all-MiniLM-L6-v2").toString());
    assertEquals(2, run.exitCode());
    assertEquals(2, run.out().size(), "the lines before the bad one are embedded");
    assertTrue(run.err().contains("stdin line 4: \"text\" must be a string"), run.err());

    CliRun malformed = CliRun.withStdin("{\"text\": \"a\"\n", "embed", "--model", CliRun.model("all-MiniLM-L6-v2").toString());
    assertEquals(2, malformed.exitCode());
    assertTrue(malformed.err().contains("stdin line 1: malformed JSON"), malformed.err());
  }

  @Test
  void badOptionsAreUsageErrors() {
    String miniLm = CliRun.model("all-MiniLM-L6-v2").toString();
    CliRun normalizeNone = CliRun.withStdin("", "embed", "--model", miniLm, "--pooling", "none", "--normalize");
    assertEquals(2, normalizeNone.exitCode());
    assertTrue(normalizeNone.err().contains("--normalize needs --pooling cls, mean or max"), normalizeNone.err());
    CliRun pooling = CliRun.withStdin("", "embed", "--model", miniLm, "--pooling", "sum");
    assertEquals(2, pooling.exitCode());
    assertTrue(pooling.err().contains("'sum' is not one of cls, mean, max, none"), pooling.err());
    CliRun tooLong = CliRun.withStdin("", "embed", "--model", miniLm, "--max-length", "513");
    assertEquals(2, tooLong.exitCode());
    assertTrue(tooLong.err().contains("max length must be in [2, 512]"), tooLong.err());
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  private static void assertClose(double[] expected, double[] actual, double atol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int j = 0; j < expected.length; j++) {
      assertEquals(expected[j], actual[j], atol, what + " [" + j + "]");
    }
  }

  @Test
  void textsGivenAsArgumentsAreEmbeddedAsTextLines() {
    CliRun fromStdin = embed("all-MiniLM-L6-v2", "{\"text\": \"where is my card\"}\n{\"text\": \"refund\"}\n");
    CliRun fromArguments = embed("all-MiniLM-L6-v2", "", "where is my card", "refund");
    assertEquals(2, fromArguments.out().size());
    assertEquals(fromStdin.out(), fromArguments.out());
  }
}
