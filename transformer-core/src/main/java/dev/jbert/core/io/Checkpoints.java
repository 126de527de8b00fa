package dev.jbert.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/** Finds and reads the weights of a Hugging Face model directory. */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * Reads every floating-point tensor of a model directory under the checkpoint's own names, in
   * file order: {@code model.safetensors}.
   */
  public static LinkedHashMap<String, TensorData> read(Path modelDir) throws IOException {
    Path st = modelDir.resolve("model.safetensors");
    if (Files.isRegularFile(st)) {
      return Safetensors.read(st);
    }
    throw new CheckpointException(modelDir, "no model.safetensors in this directory");
  }
}
