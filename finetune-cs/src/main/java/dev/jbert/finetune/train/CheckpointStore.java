package dev.jbert.finetune.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.jbert.core.BertForSequenceClassification;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.finetune.io.Json;
import dev.jbert.optim.Optimizer;
import dev.jbert.optim.OptimizerStateFile;
import dev.jbert.optim.WeightAverage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The resumable checkpoint of a run: {@code OUTPUT/checkpoint/} with the model ({@code config.json},
 * {@code model.safetensors}), the optimizer state ({@code optimizer.safetensors}: moments, step =
 * schedule position), the weight average when the run keeps one ({@code ema.safetensors}) and
 * {@code trainer_state.json} ({@link TrainerState}).
 *
 * <p>A checkpoint is written whole into {@code checkpoint.tmp/} (every file synced), then swapped in
 * by two renames ({@code checkpoint → checkpoint.old}, {@code checkpoint.tmp → checkpoint}, {@link
 * AtomicFiles#replaceDirectory}) and the old one is deleted. A kill at any moment therefore leaves a complete checkpoint: {@code checkpoint/}, or,
 * between the two renames, {@code checkpoint.old/}, which {@link #latest()} falls back to.
 */
public final class CheckpointStore {

  /** The checkpoint folder's name inside the output folder. */
  public static final String DIR_NAME = "checkpoint";
  /** The trainer state's file name inside a checkpoint. */
  public static final String STATE_FILE = "trainer_state.json";

  private final Path current;
  private final Path previous;
  private final Path incoming;

  /** The checkpoint of the run writing into {@code outputDir}. */
  public CheckpointStore(Path outputDir) {
    this.current = outputDir.resolve(DIR_NAME);
    this.previous = outputDir.resolve(DIR_NAME + ".old");
    this.incoming = outputDir.resolve(DIR_NAME + ".tmp");
  }

  /** The newest complete checkpoint folder, if any. */
  public Optional<Path> latest() {
    for (Path dir : new Path[] {current, previous}) {
      if (Files.isRegularFile(dir.resolve(STATE_FILE))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  /** Writes a new checkpoint and swaps it in atomically (see the class comment); {@code average} may be null. */
  public void save(BertForSequenceClassification model, Optimizer optimizer, WeightAverage average, TrainerState state)
      throws IOException {
    AtomicFiles.deleteTree(incoming);
    model.savePretrained(incoming);
    optimizer.save(incoming.resolve(OptimizerStateFile.FILE_NAME));
    if (average != null) {
      average.save(incoming.resolve(WeightAverage.FILE_NAME));
    }
    Json.writePretty(incoming.resolve(STATE_FILE), state); // the state last: its presence marks a complete folder
    AtomicFiles.replaceDirectory(incoming, current, previous);
  }

  /** Reads the trainer state of a checkpoint folder; errors name the file. */
  public static TrainerState readState(Path checkpoint) throws IOException {
    Path file = checkpoint.resolve(STATE_FILE);
    try {
      return Json.MAPPER.readValue(file.toFile(), TrainerState.class);
    } catch (JsonProcessingException e) {
      throw new IOException(file + ": not a trainer state: " + e.getOriginalMessage(), e);
    }
  }

  /** Removes every checkpoint folder of the output folder (a fresh run). */
  public void clear() throws IOException {
    AtomicFiles.deleteTree(incoming);
    AtomicFiles.deleteTree(current);
    AtomicFiles.deleteTree(previous);
  }
}
