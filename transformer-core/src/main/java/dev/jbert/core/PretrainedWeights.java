package dev.jbert.core;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.Checkpoints;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.StoredTensor;
import dev.jbert.core.kernel.Flat;
import dev.jbert.core.param.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves weights between Hugging Face model directories and {@link Parameters}, with Hugging Face's
 * name handling: checkpoints with or without the {@code bert.} prefix, legacy
 * {@code LayerNorm.gamma}/{@code beta}, {@code position_ids} buffers skipped, unknown tensors
 * (e.g. {@code cls.*}) reported as unused.
 */
final class PretrainedWeights {

  /** Hugging Face's {@code base_model_prefix} of BERT task models. */
  static final String BASE = "bert";

  /** {@link #BASE} as a name prefix. */
  static final String BASE_PREFIX = BASE + ".";

  private static final Logger LOG = LoggerFactory.getLogger(PretrainedWeights.class);

  private PretrainedWeights() {}

  /**
   * Fills {@code params} from the checkpoint in {@code dir}.
   *
   * @param modelPrefix {@code ""} for a bare BertModel, {@code "bert."} for a task model
   * @param mayInitialise parameters that may be missing and are then initialised (pooler, head)
   * @throws CheckpointException for a missing required tensor or a shape mismatch
   */
  static LoadReport load(Path dir, Parameters params, String modelPrefix, Predicate<String> mayInitialise,
      BertConfig config, long seed, String modelClass) throws IOException {
    LinkedHashMap<String, StoredTensor> checkpoint = Checkpoints.open(dir);
    boolean checkpointHasPrefix = checkpoint.keySet().stream().anyMatch(k -> k.startsWith(BASE_PREFIX));
    Map<String, StoredTensor> byParam = new LinkedHashMap<>();
    List<String> unexpected = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (Map.Entry<String, StoredTensor> e : checkpoint.entrySet()) {
      String key = e.getKey();
      if (key.endsWith("position_ids")) {
        ignored.add(key);
        continue;
      }
      String name = modelName(renameLegacy(key), params, modelPrefix, checkpointHasPrefix);
      if (name == null) {
        unexpected.add(key);
        continue;
      }
      StoredTensor previous = byParam.put(name, e.getValue());
      if (previous != null) {
        throw new CheckpointException(dir, "tensors '" + previous.name() + "' and '" + key + "' both map to parameter '" + name + "'");
      }
    }
    List<String> missing = new ArrayList<>();
    List<String> required = new ArrayList<>();
    for (String name : params.names()) {
      if (!byParam.containsKey(name)) {
        (mayInitialise.test(name) ? missing : required).add(name);
      }
    }
    if (!required.isEmpty()) {
      throw new CheckpointException(dir, "the checkpoint lacks " + required.size() + " weight(s) a " + modelClass
          + " needs: " + required);
    }
    List<String> mismatched = new ArrayList<>();
    for (Map.Entry<String, StoredTensor> e : byParam.entrySet()) {
      long[] expected = params.shape(e.getKey());
      if (!Arrays.equals(expected, e.getValue().shape())) {
        mismatched.add("tensor '" + e.getValue().name() + "' has shape " + Arrays.toString(e.getValue().shape())
            + " in the checkpoint but the model (config.json) expects " + Arrays.toString(expected) + " for '" + e.getKey() + "'");
      }
    }
    if (!mismatched.isEmpty()) {
      throw new CheckpointException(dir, String.join("; ", mismatched));
    }
    for (Map.Entry<String, StoredTensor> e : byParam.entrySet()) {
      copyInto(e.getKey(), e.getValue(), params);
    }
    Random random = new Random(seed);
    for (String name : missing) {
      WeightInit.initialize(params, name, config, random);
    }
    LoadReport report = new LoadReport(modelClass, dir, missing, unexpected, ignored);
    if (report.unexpectedWarning() != null) {
      LOG.warn(report.unexpectedWarning());
    }
    if (report.missingWarning() != null) {
      LOG.warn(report.missingWarning());
    }
    if (!ignored.isEmpty()) {
      LOG.debug("skipped buffers {} of {}", ignored, dir);
    }
    params.changed();
    return report;
  }

  /** {@code LayerNorm.gamma} → {@code LayerNorm.weight}, {@code LayerNorm.beta} → {@code LayerNorm.bias}. */
  static String renameLegacy(String key) {
    if (key.endsWith("LayerNorm.gamma")) {
      return key.substring(0, key.length() - "gamma".length()) + "weight";
    }
    if (key.endsWith("LayerNorm.beta")) {
      return key.substring(0, key.length() - "beta".length()) + "bias";
    }
    return key;
  }

  /** The model parameter a checkpoint name stands for, or null if none. */
  private static String modelName(String key, Parameters params, String modelPrefix, boolean checkpointHasPrefix) {
    String name = key;
    if (modelPrefix.isEmpty() && checkpointHasPrefix) {
      if (!key.startsWith(BASE_PREFIX)) {
        return null; // a task head (cls.*, classifier.*) in a task checkpoint loaded as a bare encoder
      }
      name = key.substring(BASE_PREFIX.length());
    } else if (!modelPrefix.isEmpty() && !checkpointHasPrefix) {
      name = modelPrefix + key; // a base checkpoint loaded into a task model
      if (!params.contains(name) && params.contains(key)) {
        name = key;
      }
    }
    return params.contains(name) ? name : null;
  }

  /** Copies a checkpoint tensor into its parameter, chunk by chunk as the tensor hands them over. */
  private static void copyInto(String name, StoredTensor t, Parameters params) throws IOException {
    INDArray value = params.value(name);
    Flat dst = Flat.of(value);
    if (!Flat.isDouble(value)) {
      t.read((offset, values, count) -> dst.put(Math.toIntExact(offset), values, 0, count));
      return;
    }
    double[] widened = new double[StoredTensor.CHUNK];                    // a DOUBLE model: widened a chunk at a time
    t.read((offset, values, count) -> {
      for (int from = 0; from < count; from += StoredTensor.CHUNK) {
        int len = Math.min(StoredTensor.CHUNK, count - from);
        for (int i = 0; i < len; i++) {
          widened[i] = values[from + i];
        }
        dst.put(Math.toIntExact(offset + from), widened, 0, len);
      }
    });
  }

  /**
   * Writes {@code config.json} and {@code model.safetensors} (F32, names sorted, as
   * {@code transformers} writes them) into {@code dir}, each atomically. DOUBLE parameters are
   * rounded to float.
   */
  static void save(Path dir, BertConfig config, Parameters params) throws IOException {
    Files.createDirectories(dir);
    List<String> names = new ArrayList<>(params.names());
    names.sort(null);
    List<StoredTensor> tensors = new ArrayList<>(names.size());
    double[] wide = new double[StoredTensor.CHUNK];             // the writer reads one tensor at a time
    for (String name : names) {
      Flat values = Flat.of(params.value(name));
      tensors.add(StoredTensor.chunked(name, params.shape(name), (from, dst, count) -> {
        values.get(Math.toIntExact(from), wide, 0, count);      // double rows serve FLOAT and DOUBLE alike
        for (int i = 0; i < count; i++) {
          dst[i] = (float) wide[i];
        }
      }));
    }
    Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    config.save(dir.resolve("config.json"));
  }
}
