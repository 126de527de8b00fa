package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.backend.Backend;
import dev.jbert.core.config.BertConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A model built or loaded as an application's first use of ND4J, in a fresh JVM without the thread
 * variables that {@code bin/jbert} and Surefire export: {@link Backend#init()} must run before ND4J
 * loads OpenBLAS, or OpenBLAS keeps spinning idle workers and, on CPUs it misreads, its SSE3 kernels
 * ({@link Backend} warns then). Every test class here shares one JVM where ND4J is long loaded, hence
 * the child process.
 */
class BackendBeforeModelTest {

  @ParameterizedTest
  @ValueSource(strings = {"new BertModel", "new BertForSequenceClassification", "BertModel.fromPretrained",
      "BertForSequenceClassification.fromPretrained"})
  void aModelAsTheFirstNd4jUseInitialisesTheBackendBeforeNd4jLoads(String first) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        Child.class.getName(), first, SharedData.model("tiny-random-bert").toString()).redirectErrorStream(true);
    for (String name : List.of("OPENBLAS_THREAD_TIMEOUT", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE")) {
      pb.environment().remove(name);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("built"), out);
    assertFalse(out.contains("loaded before Backend.init()"), out);
  }

  /** Builds or loads one model, the process's first jbert or ND4J call; prints "built". */
  public static final class Child {
    public static void main(String[] args) throws Exception {
      BertConfig tiny = BertConfig.builder().vocabSize(20).hiddenSize(8).numHiddenLayers(1).numAttentionHeads(2)
          .intermediateSize(12).maxPositionEmbeddings(8).labels(List.of("a", "b")).build();
      Path dir = Path.of(args[1]);
      AutoCloseable model = switch (args[0]) {
        case "new BertModel" -> new BertModel(tiny, DataType.FLOAT);
        case "new BertForSequenceClassification" -> new BertForSequenceClassification(tiny, DataType.FLOAT);
        case "BertModel.fromPretrained" -> BertModel.fromPretrained(dir, DataType.FLOAT);
        case "BertForSequenceClassification.fromPretrained" ->
            BertForSequenceClassification.fromPretrained(dir, DataType.FLOAT);
        default -> throw new IllegalArgumentException(args[0]);
      };
      model.close();
      System.out.println("built");
    }
  }
}
