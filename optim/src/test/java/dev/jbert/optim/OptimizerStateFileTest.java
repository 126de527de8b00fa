package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.param.Parameters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** Save, restore into a fresh optimizer, and the next steps are bit-identical; mismatches are named. */
class OptimizerStateFileTest {

  @TempDir Path dir;

  private static OptimizerConfig config() {
    return OptimizerConfig.builder().lr(1e-2).weightDecay(0.01).maxGradNorm(1.0).layerwiseLrDecay(0.9)
        .freeze(NameFilter.embeddingsAndLowerLayers(0)).schedule(LrSchedule.linearWithWarmup(1, 10)).build();
  }

  private static Parameters copyOf(Parameters params) {
    Parameters.Builder b = Parameters.builder();
    params.names().forEach(n -> b.add(n, params.shape(n)));
    Parameters copy = b.build(params.dataType());
    copy.values().assign(params.values());
    return copy;
  }

  private static long[] rawBits(Parameters p) {
    double[] v = p.values().toDoubleVector();
    long[] bits = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      bits[i] = Double.doubleToRawLongBits(v[i]);
    }
    return bits;
  }

  private void resumeIsExact(DataType dt, BiFunction<Parameters, OptimizerConfig, AdamBase> make) throws Exception {
    Parameters params = TinyLayout.random(dt, 9);
    AdamBase opt = make.apply(params, config());
    Random rnd = new Random(1);
    for (int t = 0; t < 3; t++) {
      TinyLayout.set(params, TinyLayout.gradient(params, rnd, 0.7), true);
      opt.step();
      params.zeroGrad();
    }
    Path file = dir.resolve(dt + "/" + opt.kind() + "/" + OptimizerStateFile.FILE_NAME);
    // A file named like the old fixed temporary name is someone else's: the shared atomic writer uses fresh names.
    Path bystander = Files.writeString(Files.createDirectories(file.getParent()).resolve(file.getFileName() + ".tmp"), "x");
    opt.save(file);
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file.getFileName().toString(), bystander.getFileName().toString()),
          files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary file left behind, none clobbered");
    }

    Parameters resumedParams = copyOf(params);
    AdamBase resumed = make.apply(resumedParams, config());
    resumed.restore(file);
    assertEquals(3, resumed.stepCount());
    assertEquals(opt.currentLr(), resumed.currentLr(), 0.0);

    for (int t = 0; t < 2; t++) {
      double[] g = TinyLayout.gradient(params, rnd, 0.7);
      TinyLayout.set(params, g, true);
      TinyLayout.set(resumedParams, g, true);
      StepResult a = opt.step();
      StepResult b = resumed.step();
      assertEquals(a, b);
      assertArrayEquals(rawBits(params), rawBits(resumedParams), dt + " " + opt.kind() + ": resumed step " + (t + 4) + " differs");
      params.zeroGrad();
      resumedParams.zeroGrad();
    }
  }

  @Test
  void saveRestoreThenNextStepsAreBitIdentical() throws Exception {
    resumeIsExact(DataType.DOUBLE, AdamW::new);
    resumeIsExact(DataType.DOUBLE, Adam::new);
    resumeIsExact(DataType.FLOAT, AdamW::new);
  }

  @Test
  void fileIsPlainSafetensorsWithOneEntryPerMomentOfEachTrainableTensor() throws Exception {
    Parameters params = TinyLayout.random(DataType.DOUBLE, 2);
    AdamW opt = new AdamW(params, config());
    opt.step();
    Path file = dir.resolve("opt.safetensors");
    opt.save(file);
    byte[] bytes = Files.readAllBytes(file);
    long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLen % 8);
    JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) headerLen, java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("AdamW", header.path("__metadata__").path("optimizer").asText());
    assertEquals("1", header.path("__metadata__").path("step").asText());
    assertEquals("linear(warmup=1,total=10)", header.path("__metadata__").path("schedule").asText());
    JsonNode m = header.path("classifier.weight.exp_avg");
    assertEquals("F64", m.path("dtype").asText());
    assertEquals("[3,4]", m.path("shape").toString());
    assertTrue(header.path("bert.embeddings.word_embeddings.weight.exp_avg").isMissingNode(), "frozen tensors have no state");
    assertEquals(1 + 2 * opt.groups().trainableNames().size(), header.size());
    long dataBytes = 0;
    for (String name : opt.groups().trainableNames()) {
      dataBytes += 2 * 8 * params.numel(name);
    }
    assertEquals(8 + headerLen + dataBytes, bytes.length);
  }

  @Test
  void stateSavedInDoubleLoadsIntoFloatParameters() throws Exception {
    Parameters params = TinyLayout.random(DataType.DOUBLE, 6);
    AdamW opt = new AdamW(params, config());
    TinyLayout.set(params, TinyLayout.gradient(params, new Random(8), 0.3), true);
    opt.step();
    opt.step();
    Path file = dir.resolve("double.safetensors");
    opt.save(file);

    Parameters floats = TinyLayout.random(DataType.FLOAT, 6);
    AdamW resumed = new AdamW(floats, config());
    resumed.restore(file);
    assertEquals(2, resumed.stepCount());
    for (String name : opt.groups().trainableNames()) {
      float[] expected = opt.expAvgSq(name).castTo(DataType.FLOAT).reshape(params.numel(name)).toFloatVector();
      assertArrayEquals(expected, resumed.expAvgSq(name).reshape(params.numel(name)).toFloatVector(), name);
    }
  }

  @Test
  void mismatchesAreReportedAndChangeNothing() throws Exception {
    Parameters params = TinyLayout.random(DataType.DOUBLE, 4);
    AdamW opt = new AdamW(params, config());
    TinyLayout.set(params, TinyLayout.gradient(params, new Random(2), 0.3), true);
    opt.step();
    Path file = dir.resolve("state.safetensors");
    opt.save(file);

    // another layout: one more tensor
    Parameters.Builder b = Parameters.builder();
    params.names().forEach(n -> b.add(n, params.shape(n)));
    Parameters bigger = b.add("extra.weight", 2, 2).build(DataType.DOUBLE);
    assertMessage(file, new AdamW(bigger, config()), "extra.weight");

    // same names, a different shape
    Parameters.Builder c = Parameters.builder();
    params.names().forEach(n -> c.add(n, n.equals("classifier.bias") ? new long[] {5} : params.shape(n)));
    assertMessage(file, new AdamW(c.build(DataType.DOUBLE), config()), "classifier.bias");

    // other optimizer kind, other hyperparameters, other freezing
    assertMessage(file, new Adam(copyOf(params), config()), "optimizer differs");
    OptimizerConfig otherLr = OptimizerConfig.builder().lr(2e-2).weightDecay(0.01).layerwiseLrDecay(0.9)
        .freeze(NameFilter.embeddingsAndLowerLayers(0)).schedule(LrSchedule.linearWithWarmup(1, 10)).build();
    assertMessage(file, new AdamW(copyOf(params), otherLr), "hyperparameter lr");
    OptimizerConfig otherFreeze = OptimizerConfig.builder().lr(1e-2).weightDecay(0.01).layerwiseLrDecay(0.9)
        .freeze(NameFilter.embeddingsAndLowerLayers(1)).schedule(LrSchedule.linearWithWarmup(1, 10)).build();
    assertMessage(file, new AdamW(copyOf(params), otherFreeze), "trainable differs");

    // a truncated file
    Path cut = dir.resolve("cut.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 16));
    AdamW fresh = new AdamW(copyOf(params), config());
    assertMessage(cut, fresh, "truncated");
    assertEquals(0, fresh.stepCount());
    assertEquals(0.0, fresh.expAvg("classifier.weight").amaxNumber().doubleValue(), 0.0, "a failed restore changed the state");
  }

  private static void assertMessage(Path file, AdamBase opt, String expected) {
    CheckpointException e = assertThrows(CheckpointException.class, () -> opt.restore(file));
    assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.toString()), e.getMessage());
  }
}
