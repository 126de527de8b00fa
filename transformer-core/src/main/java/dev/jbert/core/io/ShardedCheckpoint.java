package dev.jbert.core.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Sharded checkpoints: an index such as {@code model.safetensors.index.json}, {@code {"metadata":
 * {...}, "weight_map": {tensor name: shard file name}}}, beside the shard files. Each shard is read
 * once; the result holds the tensors the index names, in index order (tensors a shard holds but the
 * index does not name are left out, as the index is the authority).
 */
final class ShardedCheckpoint {

  /** Reads one shard file. */
  @FunctionalInterface
  interface ShardReader {
    LoadedTensors load(Path shard) throws IOException;
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private ShardedCheckpoint() {}

  /** Reads every shard named by {@code indexFile} with {@code reader}. */
  static LinkedHashMap<String, TensorData> read(Path indexFile, ShardReader reader) throws IOException {
    Map<String, String> weightMap = weightMap(indexFile);
    Path dir = indexFile.toAbsolutePath().getParent();
    Map<String, LoadedTensors> shards = new LinkedHashMap<>();
    for (String shard : new LinkedHashSet<>(weightMap.values())) {
      Path shardFile = dir.resolve(shard);
      if (!Files.isRegularFile(shardFile)) {
        throw new CheckpointException(indexFile, "shard '" + shard + "' named in weight_map is missing (" + shardFile + ")");
      }
      shards.put(shard, reader.load(shardFile));
    }
    LinkedHashMap<String, TensorData> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : weightMap.entrySet()) {
      LoadedTensors shard = shards.get(e.getValue());
      if (!shard.holds(e.getKey())) {
        throw new CheckpointException(dir.resolve(e.getValue()), "holds no tensor '" + e.getKey()
            + "', which " + indexFile.getFileName() + " maps to this shard");
      }
      TensorData t = shard.tensors().get(e.getKey());
      if (t != null) {
        tensors.put(e.getKey(), t);
      }
    }
    return tensors;
  }

  /** The validated {@code weight_map}, in file order; shard names must be plain file names. */
  static LinkedHashMap<String, String> weightMap(Path indexFile) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(indexFile.toFile());
    } catch (IOException e) {
      throw new CheckpointException(indexFile, "is not valid JSON: " + e.getMessage());
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new CheckpointException(indexFile, "has no \"weight_map\" object {tensor name: shard file}");
    }
    LinkedHashMap<String, String> weightMap = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual() || !isPlainFileName(e.getValue().textValue())) {
        throw new CheckpointException(indexFile, "weight_map entry '" + e.getKey() + "' names shard "
            + e.getValue() + ", which is not a plain file name in this directory");
      }
      weightMap.put(e.getKey(), e.getValue().textValue());
    }
    if (weightMap.isEmpty()) {
      throw new CheckpointException(indexFile, "weight_map is empty");
    }
    return weightMap;
  }

  /** The distinct shard file names of an index, in order of first use. */
  static Set<String> shardNames(Path indexFile) throws IOException {
    return new LinkedHashSet<>(weightMap(indexFile).values());
  }

  /** A name that stays inside its directory: no separators, not {@code .} or {@code ..}, no NUL. */
  static boolean isPlainFileName(String name) {
    return !name.isEmpty() && !name.equals(".") && !name.equals("..")
        && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf('\0') < 0 && name.indexOf(':') < 0;
  }
}
