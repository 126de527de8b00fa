package dev.jbert.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/** Finds and reads the weights of a Hugging Face model directory. */
public final class Checkpoints {

  /** Weight files in the order they are looked for, as Hugging Face {@code from_pretrained} prefers them. */
  public static final List<String> WEIGHT_FILES = List.of(
      "model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "pytorch_model.bin.index.json");

  private Checkpoints() {}

  /**
   * Reads every floating-point tensor of a model directory as float32, under the checkpoint's own
   * names, in file order, from the first of {@link #WEIGHT_FILES} that exists: a single
   * safetensors file, a sharded safetensors index with its shards, a {@code torch.save} zip, or a
   * sharded {@code .bin} index. Integer buffers such as {@code position_ids} are skipped.
   *
   * @throws CheckpointException if none exists or the file is damaged; the message names the file
   *     and tensor
   */
  public static LinkedHashMap<String, TensorData> read(Path modelDir) throws IOException {
    Path weights = weightFile(modelDir);
    return switch (weights.getFileName().toString()) {
      case "model.safetensors" -> Safetensors.read(weights);
      case "model.safetensors.index.json" -> ShardedCheckpoint.read(weights, shard -> Safetensors.load(shard, Safetensors.MAP_WINDOW_BYTES));
      case "pytorch_model.bin" -> PytorchBin.read(weights);
      default -> ShardedCheckpoint.read(weights, PytorchBin::load);
    };
  }

  /** The weight file {@link #read} would use. */
  public static Path weightFile(Path modelDir) throws CheckpointException {
    if (!Files.isDirectory(modelDir)) {
      throw new CheckpointException(modelDir, "is not a directory");
    }
    for (String name : WEIGHT_FILES) {
      Path candidate = modelDir.resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new CheckpointException(modelDir, "holds no weights: looked for " + String.join(", ", WEIGHT_FILES));
  }
}
