package dev.jbert.core.onnx;

import dev.jbert.core.config.BertConfig;
import dev.jbert.core.io.AtomicFiles;
import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.OnnxFile.Node;
import dev.jbert.core.io.OnnxFile.Tensor;
import dev.jbert.core.io.OnnxFile;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A BERT encoder exported to ONNX by PyTorch's exporter (the exports of Hugging Face Optimum,
 * sentence-transformers and transformers.js, and the ones langchain4j ships on Maven Central) brought
 * back to Hugging Face's checkpoint layout: the weights under their state-dict names, and a {@code
 * config.json} read from the graph.
 *
 * <p>The exporter keeps a parameter's state-dict name where the graph uses the parameter as it is
 * (embeddings, biases, LayerNorms) and stores every {@code nn.Linear} weight transposed, as an
 * anonymous {@code onnx::MatMul_N} of shape [in, out] that feeds a {@code MatMul} whose output the
 * bias is added to: such a weight is named after that bias ({@code X.bias} gives {@code X.weight})
 * and transposed back to [out, in]. The same holds for a {@code Gemm} with its bias as third input.
 * Values are copied exactly. Integer buffers ({@code embeddings.position_ids}) are left out, as
 * Hugging Face ignores them on load.
 *
 * <p>The configuration comes from the shapes (vocabulary, hidden size, layers, intermediate size,
 * positions, token types, labels of a classifier) and from the graph: the number of attention
 * heads from the scale the attention scores are divided by ({@code sqrt(head_dim)}), {@code
 * layer_norm_eps} from the first layer norm, {@code hidden_act} from the operators ({@code Erf}:
 * {@code gelu}; {@code Gelu} with {@code approximate="tanh"} or {@code Tanh}: {@code gelu_new};
 * {@code Relu}: {@code relu}). What the graph cannot tell (the dropout rates, the initializer
 * range) takes Hugging Face's {@code BertConfig} defaults.
 */
public final class OnnxBertImport {

  private static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
  private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.");
  /** Operators of quantized graphs (ONNX's and ONNX Runtime's contrib ones), whose weights are not floats. */
  private static final Set<String> QUANTIZED_OPS = Set.of("MatMulInteger", "DynamicQuantizeLinear", "QuantizeLinear",
      "DequantizeLinear", "QLinearMatMul", "DynamicQuantizeMatMul", "MatMulNBits", "QAttention");

  /**
   * A converted model.
   *
   * @param config the configuration read from the graph
   * @param tensors the weights under their Hugging Face names, sorted by name
   * @param renamed how many anonymous weights were named after their biases (and transposed)
   * @param skipped the initializers left out, each with the reason
   */
  public record Imported(BertConfig config, List<TensorData> tensors, int renamed, List<String> skipped) {

    /** The same weights with another configuration, e.g. the tokenizer's {@code pad_token_id}. */
    public Imported withConfig(BertConfig newConfig) {
      return new Imported(newConfig, tensors, renamed, skipped);
    }

    /**
     * Writes a Hugging Face model folder: {@code config.json}, {@code model.safetensors} and, when
     * given, a copy of {@code tokenizerJson} as {@code tokenizer.json}. The folder is written under a
     * temporary name beside {@code output} and renamed, so {@code output} is complete or absent.
     *
     * @throws IOException if {@code output} exists and is not an empty folder, or writing fails
     */
    public void write(Path output, Path tokenizerJson) throws IOException {
      if (Files.exists(output) && !isEmptyDirectory(output)) {
        throw new IOException(output + " already exists and is not an empty folder; choose another output");
      }
      if (tokenizerJson != null && !Files.isRegularFile(tokenizerJson)) {
        throw new IOException(tokenizerJson + ": tokenizer file not found");
      }
      Path target = output.toAbsolutePath().normalize();
      Files.createDirectories(target.getParent());
      Path staged = Files.createDirectory(AtomicFiles.temporarySibling(target)); // the umask's permissions, unlike a temp dir's
      try {
        config.save(staged.resolve("config.json"));
        Safetensors.write(staged.resolve("model.safetensors"), tensors, Map.of());
        if (tokenizerJson != null) {
          Files.copy(tokenizerJson, staged.resolve("tokenizer.json"), StandardCopyOption.COPY_ATTRIBUTES);
        }
        AtomicFiles.replaceDirectory(staged, target, AtomicFiles.temporarySibling(target));
      } finally {
        AtomicFiles.deleteTree(staged);
      }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
      if (!Files.isDirectory(dir)) {
        return false;
      }
      try (var entries = Files.list(dir)) {
        return entries.findAny().isEmpty();
      }
    }
  }

  private OnnxBertImport() {}

  /** Reads {@code onnxFile} and converts it; see {@link #convert(OnnxFile, OptionalInt)}. */
  public static Imported read(Path onnxFile) throws IOException {
    return convert(OnnxFile.read(onnxFile), OptionalInt.empty());
  }

  /**
   * Names the graph's weights and reads its configuration.
   *
   * @param numAttentionHeads the head count, for graphs whose attention scale cannot be found
   *     (given, it must agree with the graph's where the graph has one)
   * @throws CheckpointException naming the file and the tensor or node when the graph is not a BERT
   *     encoder this import can name
   */
  public static Imported convert(OnnxFile graph, OptionalInt numAttentionHeads) throws CheckpointException {
    Path file = graph.file();
    for (Node node : graph.nodes()) {
      if (QUANTIZED_OPS.contains(node.opType())) {
        throw new CheckpointException(file, "a quantized graph (" + node.opType() + " at node '" + node.name()
            + "'): jbert reads float weights; convert the model's float export");
      }
    }
    Map<String, TensorData> named = new TreeMap<>();
    List<String> skipped = new ArrayList<>();
    Set<String> used = new HashSet<>();
    int renamed = 0;
    for (Node node : graph.nodes()) {
      Optional<Linear> linear = Linear.of(graph, node);
      if (linear.isEmpty() || !isAnonymous(linear.get().weight.name())) {
        continue;
      }
      Linear l = linear.get();
      String bias = l.bias.orElseThrow(() -> new CheckpointException(file, "initializer '" + l.weight.name() + "' "
          + Arrays.toString(l.weight.dims()) + " is the weight of " + node.opType() + " '" + node.name()
          + "', but no bias named '<module>.bias' is added to its output, so its Hugging Face name cannot be told"));
      String name = bias.substring(0, bias.length() - ".bias".length()) + ".weight";
      put(named, file, l.transposed ? transpose(l.weight, name) : new TensorData(name, l.weight.dims(), l.weight.floats()));
      used.add(l.weight.name());
      renamed++;
    }
    for (Tensor t : graph.initializers().values()) {
      if (used.contains(t.name())) {
        continue;
      }
      if (isAnonymous(t.name())) {
        skipped.add(t.name() + " " + Arrays.toString(t.dims()) + ": a constant of the graph, not a parameter");
      } else if (!t.isFloatingPoint()) {
        skipped.add(t.name() + " " + Arrays.toString(t.dims()) + ": " + t.typeName() + " buffer, not a weight");
      } else {
        put(named, file, new TensorData(t.name(), t.dims(), t.floats()));
      }
    }
    BertConfig config = config(graph, named, numAttentionHeads);
    return new Imported(config, List.copyOf(named.values()), renamed, List.copyOf(skipped));
  }

  /** Names PyTorch's exporter gives the tensors it makes rather than the module's parameters. */
  private static boolean isAnonymous(String name) {
    return name.startsWith("onnx::") || !name.contains(".");
  }

  /** A {@code MatMul} or {@code Gemm} whose weight is an initializer, with the bias added to its output. */
  private record Linear(Tensor weight, boolean transposed, Optional<String> bias) {

    static Optional<Linear> of(OnnxFile graph, Node node) {
      if (node.inputs().size() < 2 || !graph.initializers().containsKey(node.inputs().get(1))) {
        return Optional.empty();
      }
      Tensor weight = graph.initializers().get(node.inputs().get(1));
      if (weight.dims().length != 2 || !weight.isFloatingPoint()) {
        return Optional.empty();
      }
      return switch (node.opType()) {
        case "MatMul" -> Optional.of(new Linear(weight, true, addedBias(graph, node.outputs().get(0))));
        case "Gemm" -> {
          boolean transB = node.attribute("transB").map(a -> a.i() != 0).orElse(false);
          Optional<String> bias = node.inputs().size() > 2 ? Optional.of(node.inputs().get(2)).filter(OnnxBertImport::isBias)
              .filter(graph.initializers()::containsKey) : Optional.empty();
          yield Optional.of(new Linear(weight, !transB, bias));
        }
        default -> Optional.empty();
      };
    }

    private static Optional<String> addedBias(OnnxFile graph, String value) {
      return graph.consumers(value).stream().filter(n -> n.opType().equals("Add")).flatMap(n -> n.inputs().stream())
          .filter(OnnxBertImport::isBias).filter(graph.initializers()::containsKey).findFirst();
    }
  }

  private static boolean isBias(String name) {
    return name.endsWith(".bias");
  }

  private static void put(Map<String, TensorData> named, Path file, TensorData t) throws CheckpointException {
    if (named.put(t.name(), t) != null) {
      throw new CheckpointException(file, "two tensors of the graph would be named '" + t.name() + "'");
    }
  }

  /** [in, out] as the graph multiplies by it, to Hugging Face's [out, in]. */
  private static TensorData transpose(Tensor t, String name) throws CheckpointException {
    long[] dims = t.dims();
    int in = (int) dims[0];
    int out = (int) dims[1];
    float[] src = t.floats();
    float[] dst = new float[src.length];
    for (int i = 0; i < in; i++) {
      for (int o = 0; o < out; o++) {
        dst[o * in + i] = src[i * out + o];
      }
    }
    return new TensorData(name, new long[] {out, in}, dst);
  }

  private static BertConfig config(OnnxFile graph, Map<String, TensorData> named, OptionalInt headsGiven)
      throws CheckpointException {
    Path file = graph.file();
    String wordEmbeddings = named.keySet().stream().filter(n -> n.endsWith(WORD_EMBEDDINGS)).findFirst()
        .orElseThrow(() -> new CheckpointException(file, "no initializer named '" + WORD_EMBEDDINGS
            + "' (or with a prefix such as 'bert.'): not an export of a Hugging Face BERT model"));
    String prefix = wordEmbeddings.substring(0, wordEmbeddings.length() - WORD_EMBEDDINGS.length());
    long[] vocab = shape(named, file, wordEmbeddings);
    int hidden = (int) vocab[1];
    int layers = layerCount(named.keySet(), prefix, file);
    int heads = attentionHeads(graph, hidden, headsGiven);
    BertConfig.Builder b = BertConfig.builder()
        .vocabSize((int) vocab[0])
        .hiddenSize(hidden)
        .numHiddenLayers(layers)
        .numAttentionHeads(heads)
        .intermediateSize((int) shape(named, file, prefix + "encoder.layer.0.intermediate.dense.weight")[0])
        .maxPositionEmbeddings((int) shape(named, file, prefix + "embeddings.position_embeddings.weight")[0])
        .typeVocabSize((int) shape(named, file, prefix + "embeddings.token_type_embeddings.weight")[0])
        .layerNormEps(layerNormEps(graph))
        .hiddenAct(hiddenAct(graph, layers));
    TensorData classifier = named.get("classifier.weight");
    if (classifier != null) {
      b.labels(BertConfig.defaultLabels((int) classifier.shape()[0])).architectures(List.of("BertForSequenceClassification"));
    } else {
      b.architectures(List.of("BertModel"));
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, "the configuration read from the graph is not valid: " + e.getMessage());
    }
  }

  private static long[] shape(Map<String, TensorData> named, Path file, String name) throws CheckpointException {
    TensorData t = named.get(name);
    if (t == null) {
      throw new CheckpointException(file, "no tensor '" + name + "' among the graph's weights");
    }
    return t.shape();
  }

  private static int layerCount(Set<String> names, String prefix, Path file) throws CheckpointException {
    Set<Integer> seen = new HashSet<>();
    for (String name : names) {
      Matcher m = LAYER.matcher(name);
      if (name.startsWith(prefix) && m.region(prefix.length(), name.length()).lookingAt()) {
        seen.add(Integer.parseInt(m.group(1)));
      }
    }
    for (int i = 0; i < seen.size(); i++) {
      if (!seen.contains(i)) {
        throw new CheckpointException(file, "the graph's layers are numbered " + seen.stream().sorted().toList() + ": layer " + i + " is missing");
      }
    }
    if (seen.isEmpty()) {
      throw new CheckpointException(file, "no weights named '" + prefix + "encoder.layer.N.*'");
    }
    return seen.size();
  }

  /**
   * Heads from the attention scale: the scores {@code Q·Kᵀ} that reach a {@code Softmax} are divided by
   * {@code sqrt(head_dim)} (or multiplied by its inverse), so {@code head_dim} is the square of that constant.
   */
  private static int attentionHeads(OnnxFile graph, int hidden, OptionalInt given) throws CheckpointException {
    Path file = graph.file();
    OptionalInt headDim = OptionalInt.empty();
    for (Node softmax : graph.nodes()) {
      if (softmax.opType().equals("Softmax")) {
        headDim = scoreScale(graph, softmax);
        break;
      }
    }
    if (headDim.isEmpty()) {
      if (given.isPresent()) {
        return given.getAsInt();
      }
      throw new CheckpointException(file, "cannot tell the number of attention heads: no scores divided by "
          + "sqrt(head_dim) before the first Softmax; give the number of heads");
    }
    int fromGraph = hidden / headDim.getAsInt();
    if (hidden % headDim.getAsInt() != 0) {
      throw new CheckpointException(file, "the attention scale gives head_dim " + headDim.getAsInt()
          + ", which does not divide hidden_size " + hidden);
    }
    if (given.isPresent() && given.getAsInt() != fromGraph) {
      throw new CheckpointException(file, given.getAsInt() + " attention heads were given, but the graph's attention "
          + "scale 1/sqrt(" + headDim.getAsInt() + ") makes " + fromGraph);
    }
    return fromGraph;
  }

  private static OptionalInt scoreScale(OnnxFile graph, Node softmax) {
    Deque<Node> todo = new ArrayDeque<>();
    graph.producer(softmax.inputs().get(0)).ifPresent(todo::add);
    for (int visited = 0; !todo.isEmpty() && visited < 8; visited++) {
      Node n = todo.poll();
      if ((n.opType().equals("Div") || n.opType().equals("Mul")) && n.inputs().size() == 2) {
        for (int k = 0; k < 2; k++) {
          OptionalDouble c = scalar(graph, n.inputs().get(k));
          boolean fromMatMul = graph.producer(n.inputs().get(1 - k)).map(p -> p.opType().equals("MatMul")).orElse(false);
          if (c.isPresent() && fromMatMul && c.getAsDouble() > 0) {
            double sqrtHeadDim = n.opType().equals("Div") ? c.getAsDouble() : 1 / c.getAsDouble();
            long headDim = Math.round(sqrtHeadDim * sqrtHeadDim);
            if (headDim > 0 && Math.abs(Math.sqrt(headDim) - sqrtHeadDim) < 1e-4 * sqrtHeadDim) {
              return OptionalInt.of((int) headDim);
            }
          }
        }
      }
      n.inputs().forEach(i -> graph.producer(i).ifPresent(todo::add));
    }
    return OptionalInt.empty();
  }

  /** The first layer norm's epsilon: a {@code LayerNormalization}'s attribute, or the constant added to the variance. */
  private static double layerNormEps(OnnxFile graph) throws CheckpointException {
    for (Node n : graph.nodes()) {
      if (n.opType().equals("LayerNormalization")) {
        return shortest(n.attribute("epsilon").map(a -> a.f()).orElse(1e-5f)); // the operator's default
      }
      if (n.opType().equals("Sqrt")) {
        Optional<Node> add = graph.producer(n.inputs().get(0)).filter(p -> p.opType().equals("Add"));
        if (add.isPresent() && add.get().inputs().size() == 2) {
          for (int k = 0; k < 2; k++) {
            OptionalDouble eps = scalar(graph, add.get().inputs().get(k));
            boolean ofMean = graph.producer(add.get().inputs().get(1 - k)).map(p -> p.opType().equals("ReduceMean")).orElse(false);
            if (eps.isPresent() && ofMean) {
              return shortest((float) eps.getAsDouble());
            }
          }
        }
      }
    }
    throw new CheckpointException(graph.file(), "no layer norm found (neither LayerNormalization nor "
        + "ReduceMean, Add(epsilon), Sqrt): not a BERT encoder");
  }

  /** The float32 constant as the shortest decimal that rounds to it, e.g. 1e-12 rather than 9.99999996e-13. */
  private static double shortest(float f) {
    return Double.parseDouble(Float.toString(f));
  }

  private static String hiddenAct(OnnxFile graph, int layers) throws CheckpointException {
    int erf = 0;
    int tanh = 0;
    int relu = 0;
    for (Node n : graph.nodes()) {
      switch (n.opType()) {
        case "Erf" -> erf++;
        case "Tanh" -> tanh++;
        case "Relu" -> relu++;
        case "Gelu" -> {
          boolean approximate = n.attribute("approximate").map(a -> "tanh".equals(a.s())).orElse(false);
          return approximate ? "gelu_new" : "gelu";
        }
        default -> { }
      }
    }
    // the pooler's own Tanh, where the export has a pooler, is one more than the layers'
    if (erf >= layers) {
      return "gelu";
    }
    if (relu >= layers) {
      return "relu";
    }
    if (tanh >= layers) {
      return "gelu_new";
    }
    throw new CheckpointException(graph.file(), "cannot tell the hidden activation: " + layers + " layers but "
        + erf + " Erf, " + tanh + " Tanh and " + relu + " Relu operators");
  }

  private static OptionalDouble scalar(OnnxFile graph, String value) {
    Optional<Tensor> t = graph.constant(value).filter(c -> c.numel() == 1 && c.isFloatingPoint());
    if (t.isEmpty()) {
      return OptionalDouble.empty();
    }
    try {
      return OptionalDouble.of(t.get().floats()[0]);
    } catch (CheckpointException e) {
      return OptionalDouble.empty();
    }
  }
}
