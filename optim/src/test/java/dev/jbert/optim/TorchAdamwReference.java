package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jbert.core.io.Checkpoints;
import dev.jbert.core.io.TensorData;
import dev.jbert.core.param.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One of the PyTorch AdamW runs in {@code tiny-random-bert/reference/adamw_steps*.json}: builds
 * the starting parameters and the optimizer the file describes, runs steps from a {@link
 * GradientSource}, and compares step records, Adam state and parameters with tolerances per tensor
 * ({@code max|java - ref| <= rtol * max|ref|}).
 *
 * <p>Without the model, step 1 and 2 can be checked: step 1 runs at lr 0 and leaves the parameters
 * unchanged, so both see the gradient of {@code grad_case_classification*.json} ({@link
 * #recordedGradient}). Once the model has a backward pass, a {@code GradientSource} that runs it
 * lets {@link #run} do all three steps and {@link #assertParams} check {@code final_params}.
 */
final class TorchAdamwReference {

  /** Fills {@code params.grads()} with d loss / d params at the current values (not accumulated); returns the loss. */
  @FunctionalInterface
  interface GradientSource {
    double lossAndGradients(Parameters params);
  }

  /** Keeps each number's decimal text, so float32 values can be read with Float.parseFloat (exact). */
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  final String file;
  final JsonNode root;
  final Path modelDir;
  private final JsonNode gradCase;

  private TorchAdamwReference(String file, JsonNode root, Path modelDir, JsonNode gradCase) {
    this.file = file;
    this.root = root;
    this.modelDir = modelDir;
    this.gradCase = gradCase;
  }

  static Path shared() {
    String prop = System.getProperty("jbert.shared");
    if (prop == null) {
      throw new IllegalStateException("system property jbert.shared is not set (Surefire sets it to ../shared)");
    }
    Path dir = Path.of(prop);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("shared test data folder missing: " + dir.toAbsolutePath());
    }
    return dir;
  }

  /** Loads e.g. {@code adamw_steps.json} and the gradient case of the same model. */
  static TorchAdamwReference load(String fileName) throws IOException {
    Path refDir = shared().resolve("models/tiny-random-bert/reference");
    JsonNode root = JSON.readTree(refDir.resolve(fileName).toFile());
    String model = root.path("model").asText();
    String gradFile = switch (model) {
      case "tiny-random-bert" -> "grad_case_classification.json";
      case "tiny-random-bert-large-init" -> "grad_case_classification_large_init.json";
      default -> throw new IllegalStateException(fileName + ": unexpected model " + model);
    };
    JsonNode grads = JSON.readTree(refDir.resolve(gradFile).toFile());
    assertEquals(model, grads.path("model").asText(), gradFile + " belongs to another model");
    return new TorchAdamwReference(fileName, root, shared().resolve("models").resolve(model), grads);
  }

  /** Parameter names in HF state-dict order (the order of {@code final_params}). */
  List<String> names() {
    List<String> names = new ArrayList<>();
    root.path("float64").path("final_params").fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The model's {@code model.safetensors} in a fresh {@code Parameters} of {@code dataType}. */
  Parameters initialParameters(DataType dataType) throws IOException {
    Map<String, TensorData> weights = Checkpoints.read(modelDir);
    Parameters.Builder b = Parameters.builder();
    for (String name : names()) {
      b.add(name, weights.get(name).shape());
    }
    Parameters params = b.build(dataType);
    for (String name : names()) {
      TensorData t = weights.get(name);
      params.value(name).assign(Nd4j.createFromArray(t.data()).castTo(dataType).reshape(t.shape()));
    }
    return params;
  }

  /** The optimizer settings the file states: AdamW, lr 1e-3, wd 0.01 with HF groups, linear warm-up, clipping. */
  OptimizerConfig config() {
    JsonNode betas = root.path("betas");
    JsonNode schedule = root.path("schedule");
    List<String> frozen = new ArrayList<>();
    root.path("frozen_prefixes").forEach(p -> frozen.add(p.asText()));
    assertTrue(root.path("weight_decay_groups").has("0.01"), file + ": weight decay groups changed");
    return OptimizerConfig.builder()
        .lr(root.path("lr").asDouble())
        .betas(betas.get(0).asDouble(), betas.get(1).asDouble())
        .eps(root.path("eps").asDouble())
        .weightDecay(0.01)
        .noDecay(NameFilter.hfNoDecay())
        .maxGradNorm(root.path("clipping").path("max_norm").asDouble())
        .schedule(LrSchedule.linearWithWarmup(schedule.path("num_warmup_steps").asLong(), schedule.path("num_training_steps").asLong()))
        .freeze(frozen.isEmpty() ? NameFilter.none() : NameFilter.prefixes(frozen))
        .build();
  }

  /** The recorded gradient at the initial parameters ({@code float64} or {@code float32}), every call the same. */
  GradientSource recordedGradient(String dtypeKey) {
    JsonNode grads = gradCase.path(dtypeKey).path("grads");
    double loss = gradCase.path(dtypeKey).path("loss").asDouble();
    return params -> {
      for (String name : params.names()) {
        params.grad(name).assign(tensor(grads.path(name), dtypeKey).castTo(params.dataType()));
      }
      return loss;
    };
  }

  /** Runs {@code n} steps as the reference loop does: fresh gradients, step, zero. */
  List<StepResult> run(Optimizer opt, int n, GradientSource source, List<Double> losses) {
    List<StepResult> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      opt.parameters().zeroGrad();
      losses.add(source.lossAndGradients(opt.parameters()));
      results.add(opt.step());
    }
    opt.parameters().zeroGrad();
    return results;
  }

  /** Step {@code t}'s lr, grad norm and clip coefficient against the file. */
  void assertStep(String dtypeKey, StepResult r, int t, double rtol) {
    JsonNode ref = root.path(dtypeKey).path("steps").get(t - 1);
    assertEquals(t, ref.path("step").asInt());
    assertEquals(t, r.step(), file + " step number");
    assertEquals(ref.path("lr").asDouble(), r.lr(), 1e-15, file + " step " + t + " lr");
    double norm = ref.path("grad_norm_before_clip").asDouble();
    assertEquals(norm, r.gradNorm(), rtol * norm, file + " step " + t + " grad_norm_before_clip");
    assertEquals(ref.path("clip_coef").asDouble(), r.clipCoef(), rtol, file + " step " + t + " clip_coef");
  }

  /** {@code adam_state_after_step[t]} (exp_avg, exp_avg_sq of the recorded tensors). */
  void assertAdamState(String dtypeKey, AdamBase opt, int t, double rtol) {
    JsonNode state = root.path(dtypeKey).path("adam_state_after_step").path(Integer.toString(t));
    assertTrue(state.size() > 0, file + ": no adam state for step " + t);
    for (Iterator<Map.Entry<String, JsonNode>> it = state.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String name = e.getKey();
      assertEquals(t, e.getValue().path("step").asInt(), file + " " + name + " state step");
      assertTensorClose(e.getValue().path("exp_avg"), dtypeKey, opt.expAvg(name), rtol, file + " step " + t + " exp_avg " + name);
      assertTensorClose(e.getValue().path("exp_avg_sq"), dtypeKey, opt.expAvgSq(name), rtol, file + " step " + t + " exp_avg_sq " + name);
    }
  }

  /** {@code final_params} of the given tensors against {@code params}. */
  void assertParams(String dtypeKey, Parameters params, Collection<String> names, double rtol) {
    JsonNode fin = root.path(dtypeKey).path("final_params");
    for (String name : names) {
      assertTensorClose(fin.path(name), dtypeKey, params.value(name), rtol, file + " final " + name);
    }
  }

  /** Names under {@code frozen_prefixes}. */
  List<String> frozenNames() {
    List<String> frozen = new ArrayList<>(names());
    List<String> trainable = new ArrayList<>();
    root.path("trainable_params").forEach(n -> trainable.add(n.asText()));
    frozen.removeAll(trainable);
    return frozen;
  }

  /** The {@code trainable_params} list of the file. */
  List<String> trainableNames() {
    List<String> trainable = new ArrayList<>();
    root.path("trainable_params").forEach(n -> trainable.add(n.asText()));
    return trainable;
  }

  /**
   * A reference tensor as doubles: {@code float32} values parsed with {@code Float.parseFloat} (the
   * file writes the shortest decimal that round-trips the float), {@code float64} ones with
   * {@code Double.parseDouble}.
   */
  static INDArray tensor(JsonNode t, String dtypeKey) {
    boolean f32 = dtypeKey.equals("float32");
    double[] data = new double[t.path("data").size()];
    for (int i = 0; i < data.length; i++) {
      String text = t.path("data").get(i).decimalValue().toString();
      data[i] = f32 ? Float.parseFloat(text) : Double.parseDouble(text);
    }
    return Nd4j.createFromArray(data).reshape(shape(t));
  }

  private static long[] shape(JsonNode t) {
    long[] shape = new long[t.path("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.path("shape").get(i).asLong();
    }
    return shape;
  }

  static void assertTensorClose(JsonNode ref, String dtypeKey, INDArray actual, double rtol, String what) {
    double[] expected = tensor(ref, dtypeKey).reshape(-1).toDoubleVector();
    long[] shape = shape(ref);
    assertTrue(Arrays.equals(shape, actual.shape()), what + ": shape " + Arrays.toString(actual.shape()) + " vs " + Arrays.toString(shape));
    double[] got = actual.reshape(actual.length()).toDoubleVector();
    double maxRef = 0;
    double maxDiff = 0;
    for (int i = 0; i < expected.length; i++) {
      maxRef = Math.max(maxRef, Math.abs(expected[i]));
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
    }
    double bound = rtol * maxRef;
    double diff = maxDiff;
    assertTrue(diff <= bound, () -> what + ": max diff " + diff + " > " + bound);
  }
}
