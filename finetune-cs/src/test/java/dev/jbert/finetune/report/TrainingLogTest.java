package dev.jbert.finetune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.data.DataFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLogTest {

  @TempDir Path dir;

  @Test
  void oneJsonObjectPerLine() throws IOException {
    Path file = dir.resolve("run/training_log.jsonl");
    TrainingLog log = TrainingLog.create(file);
    log.append(LogEntry.train(0, 0.0, 4.3, 0.0, 0.0));
    log.append(LogEntry.train(50, 0.16, 2.1, 5e-5, 31.5));
    log.append(LogEntry.evaluation(313, 1.0, Map.of("accuracy", 0.81)));
    List<String> lines = Files.readAllLines(file);
    assertEquals(3, lines.size());
    assertEquals("{\"step\":0,\"epoch\":0.0,\"loss\":4.3,\"lr\":0.0,\"seq_per_s\":0.0}", lines.get(0), "zeros are written, not dropped");
    assertEquals("{\"step\":50,\"epoch\":0.16,\"loss\":2.1,\"lr\":5.0E-5,\"seq_per_s\":31.5}", lines.get(1));
    assertEquals("{\"step\":313,\"epoch\":1.0,\"eval\":{\"accuracy\":0.81}}", lines.get(2));
    assertEquals(log.entries(), TrainingLog.read(file));
  }

  @Test
  void resumeDropsATornLineAndEntriesPastTheCheckpoint() throws IOException {
    Path file = dir.resolve("training_log.jsonl");
    TrainingLog log = TrainingLog.create(file);
    for (int step = 10; step <= 50; step += 10) {
      log.append(LogEntry.train(step, step / 100.0, 1.0 / step, 1e-5, 10));
    }
    Files.writeString(file, "{\"step\":60,\"epo", StandardCharsets.UTF_8, StandardOpenOption.APPEND); // killed mid-write
    assertThrows(DataFileException.class, () -> TrainingLog.read(file));

    TrainingLog resumed = TrainingLog.resume(file, 30);
    assertEquals(List.of(10L, 20L, 30L), resumed.entries().stream().map(LogEntry::step).toList());
    resumed.append(LogEntry.train(40, 0.4, 0.5, 1e-5, 10));
    assertEquals(List.of(10L, 20L, 30L, 40L), TrainingLog.read(file).stream().map(LogEntry::step).toList());
  }

  @Test
  void resumeWithoutALogStartsOne() throws IOException {
    Path file = dir.resolve("new.jsonl");
    assertTrue(TrainingLog.resume(file, 100).entries().isEmpty());
    assertTrue(Files.exists(file));
  }

  @Test
  void aBadLineInTheMiddleIsAnError() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.jsonl"), "{\"step\":1,\"epoch\":0.1}\nnot json\n{\"step\":2,\"epoch\":0.2}\n");
    DataFileException e = assertThrows(DataFileException.class, () -> TrainingLog.resume(file, 5));
    assertEquals(2, e.line());
    assertFalse(Files.readString(file).isEmpty(), "the file is left as it was");
  }
}
