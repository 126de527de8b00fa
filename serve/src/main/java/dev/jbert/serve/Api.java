package dev.jbert.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.finetune.batch.EncodedExample;
import dev.jbert.finetune.embed.Pooling;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.predict.Input;
import dev.jbert.finetune.predict.Prediction;
import dev.jbert.finetune.predict.RankedReply;
import dev.jbert.finetune.predict.ScoredLabel;
import dev.jbert.finetune.predict.Softmax;
import dev.jbert.finetune.predict.TopK;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import dev.jbert.tokenizer.Side;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * What each route answers, given a parsed body. Inference routes encode their inputs here (in the
 * request thread), hand one {@link Job} per request to the model's {@link Batcher}, and turn the
 * batcher's rows into the route's JSON when the job ends.
 */
final class Api {

  private final Map<String, ServedModel<?>> models;
  private final ServeOptions options;
  private final Metrics metrics;
  private final ScheduledExecutorService timer;
  private final Executor responders;
  private final String version;

  /**
   * @param timer runs the request timeouts
   * @param responders turn a finished job into its response and write it, so that a batcher thread goes
   *     on to its next batch at once and a client slow to read never holds a model up
   */
  Api(Map<String, ServedModel<?>> models, ServeOptions options, Metrics metrics, ScheduledExecutorService timer,
      Executor responders, String version) {
    this.models = models;
    this.options = options;
    this.metrics = metrics;
    this.timer = timer;
    this.responders = responders;
    this.version = version;
  }

  // ---------------------------------------------------------------- model choice

  /**
   * The model a request asks for: named in the path ({@code /v1/models/NAME/...}) or the body's
   * {@code model} field, else the first served model of a kind the route answers.
   *
   * @throws ApiError 404 for an unknown name, 400 for a model that does not answer the route
   */
  ServedModel<?> model(String pathName, ObjectNode body, String route, Set<ServedModel.Kind> kinds) {
    String bodyName = body == null ? null : Fields.optionalString(body, "model");
    if (pathName != null && bodyName != null && !pathName.equals(bodyName)) {
      throw ApiError.validation("the path names model '" + pathName + "' and the body's model field '" + bodyName
          + "'; name one");
    }
    String name = pathName != null ? pathName : bodyName;
    if (name == null) {
      for (ServedModel<?> m : models.values()) {
        if (kinds.contains(m.kind())) {
          return m;
        }
      }
      throw ApiError.badRequest("no served model answers " + route + ": it needs " + kindsText(kinds)
          + " model, and the served models are " + describeModels());
    }
    ServedModel<?> m = models.get(name);
    if (m == null) {
      throw ApiError.notFound("model '" + name + "' is not served; GET /v1/models lists them: "
          + String.join(", ", models.keySet()));
    }
    if (!kinds.contains(m.kind())) {
      throw ApiError.badRequest("model '" + name + "' is " + article(m.kind().id()) + " model and does not answer "
          + route + ", which needs " + kindsText(kinds) + " model; it answers "
          + m.routes().stream().map(r -> "/v1/models/" + name + "/" + r).collect(Collectors.joining(", ")));
    }
    return m;
  }

  private static String kindsText(Set<ServedModel.Kind> kinds) {
    return kinds.contains(ServedModel.Kind.EMBEDDER) ? "an embedding" : "a classifier or regression";
  }

  private static String article(String word) {
    return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
  }

  private String describeModels() {
    return models.values().stream().map(m -> m.name() + " (" + m.kind().id() + ")").collect(Collectors.joining(", "));
  }

  private static final Set<ServedModel.Kind> LABELLING = EnumSet.of(ServedModel.Kind.CLASSIFIER,
      ServedModel.Kind.REGRESSOR);
  private static final Set<ServedModel.Kind> EMBEDDING = EnumSet.of(ServedModel.Kind.EMBEDDER);
  private static final Set<ServedModel.Kind> ANY = EnumSet.allOf(ServedModel.Kind.class);

  // ---------------------------------------------------------------- running a job

  /** Submits the request's inputs as one job; the future ends with its rows, or an ApiError / ClientGone. */
  private <I> CompletableFuture<float[][]> run(ServedModel<I> model, List<I> inputs, List<int[]> ids, Call call) {
    call.tokenized(ids);
    int longest = ids.stream().mapToInt(a -> a.length).max().orElse(1);
    Job<I> job = new Job<>(inputs, longest, call.probe);
    call.job = job;
    long left = options.requestTimeout().toNanos() - (System.nanoTime() - call.startNanos);
    ScheduledFuture<?> timeout = timer.schedule(() -> {
      ApiError error = new ApiError(504, ApiError.Type.TIMEOUT, "the request did not finish within "
          + options.requestTimeout().toMillis() + " ms (--request-timeout)");
      if (job.expire(error)) {
        metrics.dropped(model.name(), "timeout");
      }
    }, Math.max(0, left), TimeUnit.NANOSECONDS);
    model.batcher().submit(job); // computes it here and now when the model is idle
    BiConsumer<float[][], Throwable> finished = (rows, error) -> {
      timeout.cancel(false);
      if (rows != null) {
        metrics.phases(model.name(), inputs.size(), call.tokenizeSeconds, job.queueSeconds(), job.inferenceSeconds());
      }
    };
    // A job a batcher thread finished is answered elsewhere, so that the thread goes on to the next batch
    return job.result().isDone() ? job.result().whenComplete(finished) : job.result().whenCompleteAsync(finished, responders);
  }

  private boolean truncate(ObjectNode body) {
    return Fields.bool(body, "truncate", options.autoTruncate());
  }

  // ---------------------------------------------------------------- /predict (TEI)

  /** TEI's {@code POST /predict}. */
  CompletableFuture<Reply> predict(ObjectNode body, String pathModel, Call call) {
    ClassifierModel model = (ClassifierModel) model(pathModel, body, "/predict", LABELLING);
    call.model = model.name();
    JsonNode node = body.get("inputs");
    boolean batch = false;
    List<Input> inputs = new ArrayList<>();
    List<String> where = new ArrayList<>();
    if (node != null && node.isTextual()) {
      inputs.add(Input.of(Fields.text(node, "inputs")));
      where.add("inputs");
    } else if (node != null && node.isArray() && !node.isEmpty() && node.get(0).isTextual()) {
      if (node.size() > 2) {
        throw ApiError.validation("inputs is a list of " + node.size() + " strings; a single input is a string or a"
            + " pair [text, text_pair], and a batch is a list of [text] or [text, text_pair] lists");
      }
      inputs.add(sequence(node, "inputs"));
      where.add("inputs");
    } else if (node != null && node.isArray() && !node.isEmpty()) {
      batch = true;
      Fields.checkBatchSize(node.size(), options.maxClientBatchSize());
      for (int i = 0; i < node.size(); i++) {
        JsonNode item = node.get(i);
        String w = "inputs[" + i + "]";
        if (item == null || !item.isArray() || item.isEmpty() || item.size() > 2) {
          throw ApiError.validation(w + " must be [text] or [text, text_pair], got " + Fields.typeName(item)
              + (item != null && item.isArray() ? " of " + item.size() : ""));
        }
        inputs.add(sequence(item, w));
        where.add(w);
      }
    } else {
      throw ApiError.validation("inputs must be a string, a pair [text, text_pair] or a list of [text] or"
          + " [text, text_pair] lists, got " + (node != null && node.isArray() ? "an empty list" : Fields.typeName(node)));
    }
    boolean raw = Fields.bool(body, "raw_scores", false);
    List<EncodedExample> encoded = encode(model, inputs, where, body);
    boolean single = !batch;
    return run(model, encoded, ids(encoded), call).thenApply(rows -> {
      ArrayNode out = Fields.JSON.createArrayNode();
      for (float[] row : rows) {
        out.add(scores(model, model.logits(row), raw));
      }
      return Reply.json(single ? out.get(0) : out);
    });
  }

  /** [text] or [text, text_pair]. */
  private static Input sequence(JsonNode pair, String where) {
    String text = Fields.text(pair.get(0), where + "[0]");
    return pair.size() == 1 ? Input.of(text) : Input.pair(text, Fields.text(pair.get(1), where + "[1]"));
  }

  /** Every label with its probability (or logit), most probable first, as TEI answers. */
  private static ArrayNode scores(ClassifierModel model, float[] row, boolean raw) {
    List<String> names = model.outputLabels();
    double[] values = new double[row.length];
    if (raw || model.kind() == ServedModel.Kind.REGRESSOR) {
      for (int i = 0; i < row.length; i++) {
        values[i] = row[i];
      }
    } else {
      values = Softmax.of(row, model.temperature());
    }
    Integer[] order = new Integer[row.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    double[] v = values;
    java.util.Arrays.sort(order, (a, b) -> Double.compare(v[b], v[a]));
    ArrayNode out = Fields.JSON.createArrayNode();
    for (int i : order) {
      out.addObject().put("score", (float) values[i]).put("label", names.get(i));
    }
    return out;
  }

  private List<EncodedExample> encode(ClassifierModel model, List<Input> inputs, List<String> where, ObjectNode body) {
    boolean truncate = truncate(body);
    Side direction = Fields.direction(body);
    List<EncodedExample> out = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      out.add(model.encode(inputs.get(i), where.get(i), truncate, direction));
    }
    return out;
  }

  private static List<int[]> ids(List<EncodedExample> encoded) {
    return encoded.stream().map(EncodedExample::inputIds).toList();
  }

  // ---------------------------------------------------------------- /rerank (TEI)

  /**
   * TEI's {@code POST /rerank}: {@code texts} ranked against {@code query} by a model trained on
   * (message, reply) pairs, each scored on the pair (query, text); answers {@code [{"index", "score"}]},
   * best first (ties by index), with {@code "text"} when {@code return_text}. TEI ranks only with
   * one-output models; jbert's pair models output labels, so the request names in {@code label} the
   * label whose probability is the score (softmax of the logits over the model's temperature, as
   * {@link dev.jbert.finetune.predict.Predictor#rankReplies}), or whose logit is with {@code raw_scores}.
   */
  CompletableFuture<Reply> rerank(ObjectNode body, String pathModel, Call call) {
    ClassifierModel model = pathModel == null && Fields.absent(body, "model") ? firstPairModel()
        : (ClassifierModel) model(pathModel, body, "/rerank", LABELLING);
    call.model = model.name();
    if (model.settings().task() != Task.PAIR) {
      throw ApiError.badRequest("model '" + model.name() + "' was trained on single messages ("
          + model.settings().task().id() + ") and does not answer /rerank, which needs a model trained on (message,"
          + " reply) pairs (--task pair)");
    }
    String query = Fields.text(body.get("query"), "query");
    List<String> texts = Fields.texts(body.get("texts"), "texts", options.maxClientBatchSize());
    int label = rankingLabel(body, model);
    boolean raw = Fields.bool(body, "raw_scores", false);
    boolean returnText = Fields.bool(body, "return_text", false);
    List<Input> inputs = new ArrayList<>(texts.size());
    List<String> where = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      inputs.add(Input.pair(query, texts.get(i)));
      where.add("texts[" + i + "]");
    }
    List<EncodedExample> encoded = encode(model, inputs, where, body);
    return run(model, encoded, ids(encoded), call).thenApply(rows -> {
      double[] scores = new double[rows.length];
      for (int i = 0; i < rows.length; i++) {
        float[] logits = model.logits(rows[i]);
        scores[i] = raw ? logits[label] : Softmax.of(logits, model.temperature())[label];
      }
      ArrayNode out = Fields.JSON.createArrayNode();
      for (RankedReply r : RankedReply.byScore(texts, scores)) {
        ObjectNode rank = out.addObject().put("index", r.index()).put("score", (float) r.score());
        if (returnText) {
          rank.put("text", r.reply());
        }
      }
      return Reply.json(out);
    });
  }

  /** The first served model trained on pairs: the one {@code /rerank} answers with when none is named. */
  private ClassifierModel firstPairModel() {
    for (ServedModel<?> m : models.values()) {
      if (m instanceof ClassifierModel c && c.settings().task() == Task.PAIR) {
        return c;
      }
    }
    throw ApiError.badRequest("no served model answers /rerank: it needs a model trained on (message, reply) pairs"
        + " (--task pair), and the served models are " + describeModels());
  }

  /** The id of the request's {@code label}: required, one of the model's labels. */
  private static int rankingLabel(ObjectNode body, ClassifierModel model) {
    String label = Fields.optionalString(body, "label");
    List<String> labels = model.labels().labels();
    if (label == null) {
      throw ApiError.validation("label is missing: model '" + model.name() + "' answers the labels " + labels
          + "; name the one whose probability ranks the texts, e.g. \"label\": \"" + labels.get(0) + "\"");
    }
    if (!model.labels().contains(label)) {
      throw ApiError.validation("label '" + label + "' is not one of model '" + model.name() + "''s labels " + labels);
    }
    return model.labels().id(label);
  }

  // ---------------------------------------------------------------- /v1/classify (jbert)

  /** jbert's {@code POST /v1/classify}: texts, pairs, dialogue context, top-k and hand-off. */
  CompletableFuture<Reply> classify(ObjectNode body, String pathModel, Call call) {
    ClassifierModel model = (ClassifierModel) model(pathModel, body, "/v1/classify", LABELLING);
    call.model = model.name();
    boolean one = !Fields.absent(body, "text");
    if (one == !Fields.absent(body, "texts")) {
      throw ApiError.validation(one ? "send text or texts, not both" : "send text (one message) or texts (a list)");
    }
    List<String> texts = one ? List.of(Fields.text(body.get("text"), "text"))
        : Fields.texts(body.get("texts"), "texts", options.maxClientBatchSize());
    List<String> pairs = pairs(body, one, texts.size());
    List<List<String>> contexts = contexts(body, one, texts.size());
    List<Input> inputs = new ArrayList<>(texts.size());
    List<String> where = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      inputs.add(new Input(texts.get(i), pairs == null ? null : pairs.get(i), contexts == null ? List.of() : contexts.get(i)));
      where.add(one ? "text" : "texts[" + i + "]");
    }
    boolean regression = model.kind() == ServedModel.Kind.REGRESSOR;
    int labels = regression ? 1 : model.labels().size();
    Integer topK = Fields.integer(body, "top_k", 1, Integer.MAX_VALUE);
    int k = Math.min(topK == null ? 1 : topK, labels);
    HandOff handOff = regression ? null : handOff(body, model);
    List<EncodedExample> encoded = encode(model, inputs, where, body);
    return run(model, encoded, ids(encoded), call).thenApply(rows -> {
      ArrayNode results = Fields.JSON.createArrayNode();
      if (regression) {
        for (float[] row : rows) {
          results.addObject().put("score", row[0]);
        }
      } else {
        for (float[] row : rows) {
          List<ScoredLabel> ranked = TopK.fromLogits(new float[][] {model.logits(row)}, model.labels(), k, model.temperature()).get(0);
          Prediction p = handOff == null ? Prediction.of(ranked, null)
              : Prediction.of(ranked, handOff, model.inScopeScore(row, handOff, ranked.get(0).score()));
          ObjectNode r = results.addObject();
          r.put("label", p.label());
          r.put("score", (float) p.score());
          r.put("handed_off", p.handedOff());
          ArrayNode top = r.putArray("top_k");
          for (ScoredLabel s : p.topK()) {
            top.addObject().put("label", s.label()).put("score", (float) s.score());
          }
        }
      }
      ObjectNode out;
      if (one) {
        out = Fields.JSON.createObjectNode().put("model", model.name());
        out.setAll((ObjectNode) results.get(0));
      } else {
        out = Fields.JSON.createObjectNode().put("model", model.name());
        out.set("results", results);
      }
      return Reply.json(out);
    });
  }

  /** text_pair: a string with text, a list as long as texts with texts. */
  private static List<String> pairs(ObjectNode body, boolean one, int n) {
    if (Fields.absent(body, "text_pair")) {
      return null;
    }
    if (one) {
      return List.of(Fields.text(body.get("text_pair"), "text_pair"));
    }
    List<String> values = Fields.texts(body.get("text_pair"), "text_pair", Integer.MAX_VALUE);
    if (values.size() != n) {
      throw ApiError.validation("text_pair has " + values.size() + " entries and texts has " + n + "; give one per text");
    }
    return values;
  }

  /** context: a list of earlier turns with text, a list of such lists with texts. */
  private static List<List<String>> contexts(ObjectNode body, boolean one, int n) {
    if (Fields.absent(body, "context")) {
      return null;
    }
    JsonNode node = body.get("context");
    if (one) {
      return List.of(turns(node, "context"));
    }
    if (!node.isArray()) {
      throw ApiError.validation("context must be a list with one list of earlier turns per text, got "
          + Fields.typeName(node));
    }
    if (node.size() != n) {
      throw ApiError.validation("context has " + node.size() + " entries and texts has " + n + "; give one list of"
          + " earlier turns per text ([] for none)");
    }
    List<List<String>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(turns(node.get(i), "context[" + i + "]"));
    }
    return out;
  }

  /** Earlier turns, oldest first; may be empty. */
  private static List<String> turns(JsonNode node, String where) {
    if (node == null || !node.isArray()) {
      throw ApiError.validation(where + " must be a list of earlier turns (strings, oldest first), got "
          + Fields.typeName(node));
    }
    List<String> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      out.add(Fields.text(node.get(i), where + "[" + i + "]"));
    }
    return out;
  }

  /** The request's threshold and label, else the model's saved hand-off, else none. */
  private static HandOff handOff(ObjectNode body, ClassifierModel model) {
    Double threshold = Fields.number(body, "threshold", 0, 1);
    String label = Fields.optionalString(body, "handoff_label");
    if (label != null && label.isBlank()) {
      throw ApiError.validation("handoff_label is empty");
    }
    HandOff saved = model.savedHandOff();
    if (threshold == null && saved == null) {
      if (label != null) {
        throw ApiError.validation("handoff_label needs a threshold: model '" + model.name()
            + "' has no saved hand-off threshold, so send threshold too");
      }
      return null;
    }
    String l = label != null ? label : saved != null ? saved.handOffLabel() : HandOff.TRANSFER_TO_AGENT;
    // a request's threshold is a top probability (softmax); without one the saved hand-off applies, whatever its detector
    return threshold != null ? new HandOff(threshold, l) : saved.withLabel(l);
  }

  // ---------------------------------------------------------------- /embed (TEI), /v1/embeddings (OpenAI)

  /** TEI's {@code POST /embed}: a list of embeddings, normalised unless {@code normalize: false}. */
  CompletableFuture<Reply> embed(ObjectNode body, String pathModel, Call call) {
    EmbeddingModel model = (EmbeddingModel) model(pathModel, body, "/embed", EMBEDDING);
    call.model = model.name();
    List<String> texts = textOrTexts(body, "inputs");
    boolean normalize = Fields.bool(body, "normalize", true);
    List<Encoding> encoded = encodeTexts(model, texts, "inputs", body);
    return run(model, encoded, encodingIds(encoded), call).thenApply(rows -> {
      ArrayNode out = Fields.JSON.createArrayNode();
      for (float[] row : rows) {
        ArrayNode v = out.addArray();
        for (float x : normalize ? Pooling.normalize(row) : row) {
          v.add(x);
        }
      }
      return Reply.json(out);
    });
  }

  /** OpenAI's {@code POST /v1/embeddings}, normalised as OpenAI's embeddings are. */
  CompletableFuture<Reply> openAiEmbeddings(ObjectNode body, String pathModel, Call call) {
    EmbeddingModel model = (EmbeddingModel) model(pathModel, body, "/v1/embeddings", EMBEDDING);
    call.model = model.name();
    JsonNode input = body.get("input");
    if (input != null && input.isArray() && !input.isEmpty() && (input.get(0).isNumber() || input.get(0).isArray())) {
      throw ApiError.validation("input holds token ids; this service takes text: a string or a list of strings");
    }
    List<String> texts = textOrTexts(body, "input");
    String format = Fields.optionalString(body, "encoding_format");
    boolean base64 = "base64".equals(format);
    if (format != null && !base64 && !"float".equals(format)) {
      throw ApiError.validation("encoding_format must be \"float\" or \"base64\", got \"" + format + "\"");
    }
    Integer dimensions = Fields.integer(body, "dimensions", 1, Integer.MAX_VALUE);
    if (dimensions != null && dimensions != model.dimension()) {
      throw ApiError.validation("model '" + model.name() + "' makes " + model.dimension() + "-dimensional embeddings"
          + " and cannot shorten them; leave dimensions out or send " + model.dimension());
    }
    List<Encoding> encoded = encodeTexts(model, texts, "input", body);
    return run(model, encoded, encodingIds(encoded), call).thenApply(rows -> {
      ObjectNode out = Fields.JSON.createObjectNode();
      out.put("object", "list");
      ArrayNode data = out.putArray("data");
      for (int i = 0; i < rows.length; i++) {
        ObjectNode e = data.addObject();
        e.put("object", "embedding");
        e.put("index", i);
        float[] v = Pooling.normalize(rows[i]);
        if (base64) {
          ByteBuffer bytes = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
          bytes.asFloatBuffer().put(v);
          e.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
        } else {
          ArrayNode a = e.putArray("embedding");
          for (float x : v) {
            a.add(x);
          }
        }
      }
      out.put("model", model.name());
      out.putObject("usage").put("prompt_tokens", call.tokens).put("total_tokens", call.tokens);
      return Reply.json(out);
    });
  }

  /** A string or a non-empty list of strings. */
  private List<String> textOrTexts(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node != null && node.isTextual()) {
      return List.of(Fields.text(node, field));
    }
    if (node != null && node.isArray()) {
      return Fields.texts(node, field, options.maxClientBatchSize());
    }
    throw ApiError.validation(field + " must be a string or a list of strings, got " + Fields.typeName(node));
  }

  private List<Encoding> encodeTexts(EmbeddingModel model, List<String> texts, String field, ObjectNode body) {
    boolean truncate = truncate(body);
    Side direction = Fields.direction(body);
    List<Encoding> out = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      out.add(model.encode(texts.get(i), texts.size() == 1 ? field : field + "[" + i + "]", truncate, direction));
    }
    return out;
  }

  private static List<int[]> encodingIds(List<Encoding> encoded) {
    return encoded.stream().map(Encoding::inputIds).toList();
  }

  // ---------------------------------------------------------------- /tokenize, /info, /v1/models

  /** TEI's {@code POST /tokenize}: per input its tokens with ids and character spans (code points). */
  Reply tokenize(ObjectNode body, String pathModel, Call call) {
    ServedModel<?> model = model(pathModel, body, "/tokenize", ANY);
    call.model = model.name();
    List<String> texts = textOrTexts(body, "inputs");
    boolean special = Fields.bool(body, "add_special_tokens", true);
    EncodeOptions encodeOptions = EncodeOptions.DEFAULT.withAddSpecialTokens(special);
    ArrayNode out = Fields.JSON.createArrayNode();
    for (String text : texts) {
      Encoding e = model.tokenizer().encode(text, null, encodeOptions);
      ArrayNode tokens = out.addArray();
      for (int t = 0; t < e.length(); t++) {
        ObjectNode token = tokens.addObject();
        token.put("id", e.inputIds()[t]);
        boolean isSpecial = e.sequenceIds()[t] < 0;
        if (isSpecial) {
          token.put("text", e.tokens()[t]).put("special", true).putNull("start").putNull("stop");
        } else {
          int start = e.offsetStarts()[t];
          int end = e.offsetEnds()[t];
          token.put("text", text.substring(start, end)).put("special", false)
              .put("start", text.codePointCount(0, start)).put("stop", text.codePointCount(0, end));
        }
      }
    }
    return Reply.json(out);
  }

  /** TEI's {@code GET /info} for one model, with jbert's own block. */
  Reply info(String pathModel, Call call) {
    ServedModel<?> model = pathModel == null ? models.values().iterator().next() : model(pathModel, null, "/info", ANY);
    call.model = model.name();
    ObjectNode out = Fields.JSON.createObjectNode();
    out.put("model_id", model.name());
    out.putNull("model_sha");
    out.put("model_dtype", "float32");
    out.set("model_type", model.modelType());
    out.put("max_concurrent_requests", options.maxConcurrentRequests());
    out.put("max_input_length", model.maxLength());
    out.put("max_batch_tokens", options.maxBatchTokens());
    out.put("max_batch_requests", options.maxBatchRequests());
    out.put("max_client_batch_size", options.maxClientBatchSize());
    out.put("auto_truncate", options.autoTruncate());
    out.put("tokenization_workers", Runtime.getRuntime().availableProcessors()); // request threads tokenize
    out.put("version", version);
    out.putNull("sha");
    out.putNull("docker_label");
    ObjectNode jbert = out.putObject("jbert");
    jbert.setAll(model.details());
    jbert.put("workers", model.replicas().size());
    jbert.put("load_seconds", model.loadSeconds());
    jbert.put("request_timeout_ms", options.requestTimeout().toMillis());
    ArrayNode routes = jbert.putArray("routes");
    model.routes().forEach(r -> routes.add("/v1/models/" + model.name() + "/" + r));
    return Reply.json(out);
  }

  /** {@code GET /v1/models}: OpenAI's model list, with each model's kind and routes. */
  Reply listModels() {
    ObjectNode out = Fields.JSON.createObjectNode();
    out.put("object", "list");
    ArrayNode data = out.putArray("data");
    for (ServedModel<?> m : models.values()) {
      data.add(describe(m));
    }
    return Reply.json(out);
  }

  /** One entry of {@link #listModels()}. */
  ObjectNode describe(ServedModel<?> m) {
    ObjectNode e = Fields.JSON.createObjectNode();
    e.put("id", m.name());
    e.put("object", "model");
    e.put("created", m.createdEpochSeconds());
    e.put("owned_by", "jbert");
    e.put("kind", m.kind().id());
    e.setAll(m.details());
    e.put("max_input_length", m.maxLength());
    ArrayNode routes = e.putArray("routes");
    m.routes().forEach(r -> routes.add("/v1/models/" + m.name() + "/" + r));
    return e;
  }
}
