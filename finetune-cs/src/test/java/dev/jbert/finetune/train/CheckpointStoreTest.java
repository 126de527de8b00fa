package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.finetune.SharedModels;
import dev.jbert.optim.AdamW;
import dev.jbert.optim.OptimizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** A kill at any moment of a checkpoint write leaves a complete checkpoint to resume from. */
class CheckpointStoreTest {

  @TempDir Path tmp;

  private static TrainerState state(long step) {
    return new TrainerState(TrainerState.FORMAT, 1, 0, step, 0, 0, 0, 0.5, 0.7, 1, 0, false, null, List.of("a", "b"),
        Map.of("lr", "0.001"), 10);
  }

  @Test
  void everyStageOfAWriteLeavesACompleteCheckpoint() throws Exception {
    CheckpointStore store = new CheckpointStore(tmp);
    assertTrue(store.latest().isEmpty());
    try (BertForSequenceClassification model = BertForSequenceClassification.fromPretrained(SharedModels.tinyBert(), DataType.FLOAT)) {
      AdamW optimizer = new AdamW(model.parameters(), OptimizerConfig.builder().build());
      store.save(model, optimizer, null, state(3));
      store.save(model, optimizer, null, state(6));
    }
    Path current = tmp.resolve(CheckpointStore.DIR_NAME);
    assertEquals(current, store.latest().orElseThrow());
    assertEquals(state(6), CheckpointStore.readState(current));
    assertFalse(Files.exists(tmp.resolve("checkpoint.old")));
    assertFalse(Files.exists(tmp.resolve("checkpoint.tmp")));

    // Killed while writing the next one: a half-written checkpoint.tmp is ignored.
    Files.createDirectories(tmp.resolve("checkpoint.tmp"));
    Files.writeString(tmp.resolve("checkpoint.tmp/config.json"), "{");
    assertEquals(current, store.latest().orElseThrow());

    // Killed between the two renames: only checkpoint.old is there.
    Files.move(current, tmp.resolve("checkpoint.old"));
    assertEquals(tmp.resolve("checkpoint.old"), store.latest().orElseThrow());
    assertEquals(6, CheckpointStore.readState(store.latest().orElseThrow()).step());

    store.clear();
    assertTrue(store.latest().isEmpty());
  }
}
