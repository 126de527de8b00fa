package dev.jbert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class JbertBenchTest {

  private static JbertBench parse(String... args) {
    JbertBench bench = new JbertBench();
    new CommandLine(bench).parseArgs(args);
    return bench;
  }

  private static List<String> names(JbertBench.Plan plan) {
    return plan.workloads().stream().map(Workload::toString).toList();
  }

  @Test
  void fullRunTimesEveryShapeOfBothModelsWithFiveRunsAfterTwo() {
    JbertBench.Plan plan = parse().plan();
    assertEquals(List.of("minilm infer 32x64", "minilm infer 16x128", "minilm infer 1x32", "minilm train 32x64",
        "minilm train 16x128", "base infer 32x64", "base infer 16x128", "base infer 1x32", "base train 32x64",
        "base train 16x128"), names(plan));
    assertEquals(5, plan.runs());
    assertEquals(2, plan.warmup());
    assertEquals(9, plan.tokenizerPasses());
    assertEquals(3, plan.startupRuns());
  }

  @Test
  void quickRunIsMiniLmOnlyWithFewerRepeatsUnlessTold() {
    JbertBench.Plan plan = parse("--quick").plan();
    assertEquals(5, plan.workloads().size());
    assertTrue(names(plan).stream().allMatch(n -> n.startsWith("minilm ")));
    assertEquals(3, plan.runs());
    assertEquals(1, plan.warmup());
    assertEquals(1, plan.startupRuns());
    JbertBench.Plan more = parse("--quick", "--runs", "7", "--config", "base").plan();
    assertEquals(7, more.runs());
    assertTrue(names(more).stream().allMatch(n -> n.startsWith("base ")));
  }

  @Test
  void badArgumentsSayWhat() {
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> parse("--config", "large").plan());
    assertTrue(shape.getMessage().contains("'large'"), shape.getMessage());
    CommandLine.ParameterException runs = assertThrows(CommandLine.ParameterException.class,
        () -> parse("--runs", "0").plan());
    assertTrue(runs.getMessage().contains("--runs"), runs.getMessage());
  }

  @Test
  void defaultPathsFollowJbertHomeAndOrtRunsMiniLmInferenceOnly() {
    System.setProperty("jbert.home", "/opt/jbert");
    try {
      JbertBench bench = parse();
      assertEquals(Path.of("/opt/jbert/../shared/peers"), bench.peers);
      assertEquals(Path.of("/opt/jbert/bin/jbert"), bench.launcher);
      assertNull(bench.ortNote(new Workload(ModelShape.MINILM, Workload.Mode.INFER, 1, 32)));
      assertEquals("no export", bench.ortNote(new Workload(ModelShape.BASE, Workload.Mode.INFER, 32, 64)));
      assertEquals("inference only", bench.ortNote(new Workload(ModelShape.MINILM, Workload.Mode.TRAIN, 32, 64)));
      assertEquals("skipped", parse("--no-ort").ortNote(new Workload(ModelShape.MINILM, Workload.Mode.INFER, 1, 32)));
    } finally {
      System.clearProperty("jbert.home");
    }
  }
}
