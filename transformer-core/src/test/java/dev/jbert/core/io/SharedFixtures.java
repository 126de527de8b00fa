package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The shared model fixtures (read in place, never copied) and comparisons the io tests share. */
public final class SharedFixtures {
  private SharedFixtures() {}

  /** {@code /work/shared/models/<name>}, failing loudly if the shared folder is missing. */
  public static Path model(String name) {
    String shared = System.getProperty("jbert.shared");
    if (shared == null || !Files.isDirectory(Path.of(shared, "models"))) {
      fail("shared fixtures not found: system property jbert.shared = " + shared
          + " must point at the shared folder holding models/ (Surefire sets it to ../shared)");
    }
    Path dir = Path.of(shared, "models", name);
    if (!Files.isDirectory(dir)) {
      fail("shared model directory missing: " + dir);
    }
    return dir;
  }

  /** The tiny model's safetensors file, the reference every other reader is compared to. */
  static Path tinySafetensors() {
    return model("tiny-random-bert").resolve("model.safetensors");
  }

  /** Same names, shapes, and float bits (NaN payloads and signed zeros included). */
  public static void assertBitIdentical(Map<String, TensorData> expected, Map<String, TensorData> actual) {
    assertEquals(expected.keySet(), actual.keySet(), "tensor names");
    for (TensorData e : expected.values()) {
      TensorData a = actual.get(e.name());
      assertArrayEquals(e.shape(), a.shape(), "shape of " + e.name());
      assertArrayEquals(bits(e.data()), bits(a.data()), "bits of " + e.name());
    }
  }

  static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }
}
