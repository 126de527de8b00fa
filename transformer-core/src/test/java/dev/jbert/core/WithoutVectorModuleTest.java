package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.kernel.PackedWeight;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector} (a library user's default) builds
 * models and answers at batch 1 through OpenBLAS: nothing loads the Vector API's classes.
 */
class WithoutVectorModuleTest {

  @Test
  void modelsRunWithoutTheVectorApi() throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        Child.class.getName(), SharedData.model("tiny-random-bert").toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("available=false preferred=false logits=3"), out);
  }

  /** Builds the tiny classifier and runs one forward pass without gradients at batch 1. */
  public static final class Child {
    public static void main(String[] args) throws IOException {
      try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(Path.of(args[0]),
          DataType.FLOAT)) {
        model.eval();
        model.setGradEnabled(false);
        long logits = model.forward(new int[][] {{2, 17, 33, 3}}, null, null).length();
        System.out.println("available=" + PackedWeight.available() + " preferred=" + PackedWeight.preferred()
            + " logits=" + logits);
      }
    }
  }
}
