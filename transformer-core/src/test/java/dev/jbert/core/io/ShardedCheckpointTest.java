package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Sharded checkpoints and the directory lookup of {@link Checkpoints}. */
@Timeout(20)
class ShardedCheckpointTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /**
   * Splits the tiny model into two safetensors shards the way {@code save_pretrained} does and
   * writes {@code model.safetensors.index.json}; returns the original tensors.
   */
  static LinkedHashMap<String, TensorData> writeTwoShards(Path dir) throws Exception {
    LinkedHashMap<String, TensorData> original = Safetensors.read(SharedFixtures.tinySafetensors());
    List<TensorData> first = new ArrayList<>();
    List<TensorData> second = new ArrayList<>();
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (TensorData t : original.values()) {
      boolean early = first.size() < original.size() / 2;
      (early ? first : second).add(t);
      weightMap.put(t.name(), early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
    }
    Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), first, null);
    Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), second, null);
    writeIndex(dir.resolve("model.safetensors.index.json"), weightMap);
    return original;
  }

  static void writeIndex(Path file, Map<String, String> weightMap) throws Exception {
    JSON.writeValue(file.toFile(), Map.of("metadata", Map.of("total_size", 80308), "weight_map", weightMap));
  }

  private Map<String, String> indexMap() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, String> map = (Map<String, String>) JSON.readValue(dir.resolve("model.safetensors.index.json").toFile(), Map.class)
        .get("weight_map");
    return new LinkedHashMap<>(map);
  }

  @Test
  void twoShardsReadBackIdentical() throws Exception {
    var original = writeTwoShards(dir);

    var read = Checkpoints.read(dir);

    SharedFixtures.assertBitIdentical(original, read);
    assertEquals(List.copyOf(original.keySet()), List.copyOf(read.keySet()), "index order");
  }

  @Test
  void missingShardIsNamed() throws Exception {
    writeTwoShards(dir);
    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
    var e = assertThrows(CheckpointException.class, () -> Checkpoints.read(dir));
    assertTrue(e.getMessage().contains("shard 'model-00002-of-00002.safetensors' named in weight_map is missing"), e.getMessage());
  }

  @Test
  void nameTheShardLacksIsNamed() throws Exception {
    writeTwoShards(dir);
    Map<String, String> map = indexMap();
    map.put("bert.pooler.ghost.weight", "model-00001-of-00002.safetensors");
    writeIndex(dir.resolve("model.safetensors.index.json"), map);
    var e = assertThrows(CheckpointException.class, () -> Checkpoints.read(dir));
    assertTrue(e.getMessage().contains("model-00001-of-00002.safetensors: holds no tensor 'bert.pooler.ghost.weight'"), e.getMessage());
  }

  @Test
  void shardNameThatLeavesTheDirectoryIsRefused() throws Exception {
    writeTwoShards(dir);
    Map<String, String> map = indexMap();
    map.put("classifier.bias", "../model.safetensors");
    writeIndex(dir.resolve("model.safetensors.index.json"), map);
    var e = assertThrows(CheckpointException.class, () -> Checkpoints.read(dir));
    assertTrue(e.getMessage().contains("names shard \"../model.safetensors\", which is not a plain file name"), e.getMessage());
  }

  @Test
  void integerBuffersListedInTheIndexAreSkippedNotMissing() throws Exception {
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"position_ids\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[4,12]}}";
    SafetensorsFiles.write(dir.resolve("shard.safetensors"), header, new byte[12]);
    writeIndex(dir.resolve("model.safetensors.index.json"), Map.of("w", "shard.safetensors", "position_ids", "shard.safetensors"));

    assertEquals(List.of("w"), List.copyOf(Checkpoints.read(dir).keySet()));
  }

  @Test
  void shardedBinIndexIsReadToo() throws Exception {
    Path bin = SharedFixtures.model("tiny-random-bert-pytorch-bin").resolve("pytorch_model.bin");
    Files.copy(bin, dir.resolve("pytorch_model-00001-of-00001.bin"));
    Map<String, String> map = new LinkedHashMap<>();
    PytorchBin.load(bin).tensors().keySet().forEach(n -> map.put(n, "pytorch_model-00001-of-00001.bin"));
    map.put("bert.embeddings.position_ids", "pytorch_model-00001-of-00001.bin");
    writeIndex(dir.resolve("pytorch_model.bin.index.json"), map);

    SharedFixtures.assertBitIdentical(Safetensors.read(SharedFixtures.tinySafetensors()), Checkpoints.read(dir));
  }

  @Test
  void directoryWithoutWeightsListsWhatWasLookedFor() throws Exception {
    var e = assertThrows(CheckpointException.class, () -> Checkpoints.read(dir));
    assertTrue(e.getMessage().contains(
        "holds no weights: looked for model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json"),
        e.getMessage());
  }

  @Test
  void anOnnxExportIsNamedAndSaidNotToBeRead() throws Exception {
    Files.createDirectories(dir.resolve("onnx"));
    Files.write(dir.resolve("onnx/model.onnx"), new byte[] {8, 7});
    var e = assertThrows(CheckpointException.class, () -> Checkpoints.read(dir));
    assertTrue(e.getMessage().contains("holds an ONNX export (" + Path.of("onnx", "model.onnx") + "), which jbert does not read: "
        + "it reads the PyTorch weights that save_pretrained writes, one of model.safetensors, "), e.getMessage());
  }

  @Test
  void safetensorsWinsOverTheOthers() throws Exception {
    writeTwoShards(dir);
    Safetensors.write(dir.resolve("model.safetensors"), List.of(new TensorData("only", new long[] {1}, new float[] {1})), null);
    assertEquals(List.of("only"), List.copyOf(Checkpoints.read(dir).keySet()));
  }
}
