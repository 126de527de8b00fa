package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.core.kernel.Flat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The shared models and references (read in place), and per-tensor comparisons as SOURCE.md defines them. */
public final class SharedData {

  private static final ObjectMapper JSON = new ObjectMapper();

  private SharedData() {}

  /** {@code /work/shared} (the {@code jbert.shared} system property); fails clearly when absent. */
  public static Path shared() {
    String p = System.getProperty("jbert.shared");
    if (p == null) {
      fail("system property jbert.shared is not set (Surefire sets it to ../shared)");
    }
    Path dir = Path.of(p);
    if (!Files.isDirectory(dir.resolve("models"))) {
      fail("shared data folder missing: " + dir.toAbsolutePath() + " has no models/ (expected beside the checkout)");
    }
    return dir;
  }

  /** {@code shared/models/<name>}. */
  public static Path model(String name) {
    Path dir = shared().resolve("models").resolve(name);
    assertTrue(Files.isDirectory(dir), "missing shared model " + dir);
    return dir;
  }

  /** Parses a JSON file. */
  public static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code data} of a {@code {"shape", "data"}} node, or a plain (nested) number array, flattened. */
  public static double[] values(JsonNode node) {
    JsonNode data = node.has("data") ? node.get("data") : node;
    java.util.List<Double> out = new java.util.ArrayList<>();
    flatten(data, out);
    double[] a = new double[out.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = out.get(i);
    }
    return a;
  }

  private static void flatten(JsonNode n, java.util.List<Double> out) {
    if (n.isArray()) {
      n.forEach(c -> flatten(c, out));
    } else {
      out.add(n.asDouble());
    }
  }

  /** A nested integer array [rows][cols]. */
  public static int[][] ints(JsonNode node) {
    int[][] out = new int[node.size()][];
    for (int i = 0; i < out.length; i++) {
      JsonNode row = node.get(i);
      out[i] = new int[row.size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = row.get(j).asInt();
      }
    }
    return out;
  }

  /** A flat integer array. */
  public static int[] intVector(JsonNode node) {
    int[] out = new int[node.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = node.get(i).asInt();
    }
    return out;
  }

  /** Every element of an array, in row-major order. */
  public static double[] values(INDArray a) {
    return Flat.of(a.dup('c')).toArray();
  }

  /** max_i |actual_i − ref_i| / max_i |ref_i| (the SOURCE.md measure). */
  public static double scaledError(double[] actual, double[] ref) {
    if (actual.length != ref.length) {
      fail("length " + actual.length + " vs reference " + ref.length);
    }
    double maxDiff = 0;
    double maxRef = 0;
    for (int i = 0; i < ref.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(actual[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    return maxRef == 0 ? maxDiff : maxDiff / maxRef;
  }

  /** Asserts {@code max |a − r| ≤ rtol · max |r|}. */
  public static void assertScaledClose(String what, double[] actual, double[] ref, double rtol) {
    double err = scaledError(actual, ref);
    assertTrue(err <= rtol, what + ": scaled error " + err + " > " + rtol);
  }

  /** Largest absolute value. */
  public static double maxAbs(double[] a) {
    double m = 0;
    for (double v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
