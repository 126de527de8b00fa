package dev.jbert.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;

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
    return readWeights(weightFile(modelDir));
  }

  /** {@link #read} of the weight file {@link #weightFile} found. */
  private static LinkedHashMap<String, TensorData> readWeights(Path weights) throws IOException {
    return switch (weights.getFileName().toString()) {
      case "model.safetensors" -> Safetensors.read(weights);
      case "model.safetensors.index.json" -> ShardedCheckpoint.read(weights, shard -> Safetensors.load(shard, Safetensors.MAP_WINDOW_BYTES));
      case "pytorch_model.bin" -> PytorchBin.read(weights);
      default -> ShardedCheckpoint.read(weights, PytorchBin::load);
    };
  }

  /**
   * The tensors {@link #read} would return, under the same names and in the same order, each read
   * when asked: from a single safetensors file a chunk at a time, so that a model loads with no
   * copy of its weights on the Java heap (MiniLM's are 90 MB, bert-base's 440 MB); from the other
   * layouts they are read at once, as by {@link #read}.
   *
   * @throws CheckpointException as {@link #read}, for what the header or index shows at once
   */
  public static LinkedHashMap<String, StoredTensor> open(Path modelDir) throws IOException {
    Path weights = weightFile(modelDir);
    if (weights.getFileName().toString().equals("model.safetensors")) {
      return Safetensors.open(weights);
    }
    return new LinkedHashMap<>(readWeights(weights));
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
    List<Path> onnx = onnxFiles(modelDir);
    if (!onnx.isEmpty()) {
      throw new CheckpointException(modelDir, "holds an ONNX export (" + modelDir.relativize(onnx.get(0))
          + "), which jbert does not read: it reads the PyTorch weights that save_pretrained writes, one of "
          + String.join(", ", WEIGHT_FILES));
    }
    throw new CheckpointException(modelDir, "holds no weights: looked for " + String.join(", ", WEIGHT_FILES));
  }

  /** {@code *.onnx} files in the folder or its {@code onnx/} subfolder (Optimum's and sentence-transformers' exports). */
  private static List<Path> onnxFiles(Path modelDir) throws CheckpointException {
    List<Path> found = new ArrayList<>();
    for (Path dir : List.of(modelDir, modelDir.resolve("onnx"))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(f -> f.getFileName().toString().endsWith(".onnx")).sorted().forEach(found::add);
      } catch (IOException e) {
        throw new CheckpointException(dir, "cannot be listed: " + e.getMessage());
      }
    }
    return found;
  }
}
