package dev.jbert.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbert.finetune.embed.Pooling;
import dev.jbert.finetune.embed.SentenceEmbedder;
import dev.jbert.finetune.io.Json;
import dev.jbert.tokenizer.BertTokenizer;
import dev.jbert.tokenizer.EncodeOptions;
import dev.jbert.tokenizer.Encoding;
import dev.jbert.tokenizer.Side;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Any BERT folder served as a sentence-embedding model through {@link SentenceEmbedder} (pooling from
 * {@code 1_Pooling/config.json} or {@code --pooling}, mean otherwise), by {@code workers} replicas that
 * share its weights. Embeddings leave the batcher unnormalised; each request says whether to normalise.
 *
 * <p>The token limit is sentence-transformers' {@code max_seq_length} ({@code sentence_bert_config.json})
 * when the folder has one, as text-embeddings-inference reads it, else the embedder's default (512 or
 * the model's position table).
 */
final class EmbeddingModel extends ServedModel<Encoding> {

  private final SentenceEmbedder embedder;
  private final List<PoolingReplica> replicas = new ArrayList<>();

  private EmbeddingModel(String name, Path dir, SentenceEmbedder embedder, int workers) {
    super(name, dir);
    this.embedder = embedder;
    replicas.add(new PoolingReplica(embedder, false));
    for (int i = 1; i < workers; i++) {
      replicas.add(new PoolingReplica(embedder.replica(), true));
    }
  }

  /**
   * Loads the folder.
   *
   * @param pooling the pooling instead of the folder's, or null
   */
  static EmbeddingModel load(ModelSpec spec, int workers, Pooling pooling) throws IOException {
    Integer maxLength = null;
    JsonNode st = readOptionalJson(spec.dir().resolve("sentence_bert_config.json"));
    if (st != null && st.path("max_seq_length").canConvertToInt() && st.path("max_seq_length").asInt() >= 2) {
      maxLength = st.path("max_seq_length").asInt();
    }
    SentenceEmbedder embedder = SentenceEmbedder.load(spec.dir(), pooling, null, maxLength, Batcher.FORWARD_BATCH);
    return new EmbeddingModel(spec.name(), spec.dir(), embedder, workers);
  }

  @Override
  Kind kind() {
    return Kind.EMBEDDER;
  }

  @Override
  BertTokenizer tokenizer() {
    return embedder.tokenizer();
  }

  @Override
  int length(Encoding input) {
    return input.length();
  }

  @Override
  int maxLength() {
    return embedder.maxLength();
  }

  /** The embedding size. */
  int dimension() {
    return embedder.dimension();
  }

  Pooling pooling() {
    return embedder.pooling();
  }

  /**
   * The tokens of one text.
   *
   * @param where how error messages name the input
   * @param truncate false: a text over {@link #maxLength()} tokens is refused instead of cut
   * @param direction which end an over-long text loses
   * @throws ApiError 422 for an over-long text without truncation
   */
  Encoding encode(String text, String where, boolean truncate, Side direction) {
    if (!truncate) {
      int length = tokenizer().encode(text, null, EncodeOptions.DEFAULT).length();
      if (length > maxLength()) {
        throw ApiError.validation(where + " has " + length + " tokens and this model reads at most " + maxLength()
            + "; send truncate: true (the default) to cut it");
      }
    }
    return direction == Side.LEFT
        ? tokenizer().encode(text, null, embedder.encodeOptions().withTruncationSide(Side.LEFT))
        : embedder.encode(text);
  }

  @Override
  List<PoolingReplica> replicas() {
    return replicas;
  }

  @Override
  void warmUp() {
    List<Encoding> shortOne = List.of(tokenizer().encode(warmUpText(16), null, EncodeOptions.truncatedTo(
        Math.min(16, maxLength()))));
    List<Encoding> eight = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      eight.add(tokenizer().encode(warmUpText(64), null, EncodeOptions.truncatedTo(Math.min(64, maxLength()))));
    }
    for (PoolingReplica r : replicas) {
      for (int round = 0; round < 3; round++) {
        r.run(shortOne);
        r.run(eight);
      }
    }
  }

  @Override
  ObjectNode modelType() {
    ObjectNode type = Json.MAPPER.createObjectNode();
    type.putObject("embedding").put("pooling", pooling().id());
    return type;
  }

  @Override
  ObjectNode details() {
    ObjectNode d = Json.MAPPER.createObjectNode();
    d.put("task", "embedding");
    d.put("pooling", pooling().id());
    d.put("dimension", dimension());
    d.put("folder_normalizes", embedder.normalizes());
    return d;
  }

  @Override
  public void close() {
    super.close();
    embedder.close();
  }

  /** One replica: hidden states pooled, not normalised. */
  static final class PoolingReplica implements Replica<Encoding> {
    private final SentenceEmbedder embedder;
    private final boolean owns;

    PoolingReplica(SentenceEmbedder embedder, boolean owns) {
      this.embedder = embedder;
      this.owns = owns;
    }

    /** One forward pass: the embedder's batch size is {@value Batcher#FORWARD_BATCH}, the most a pass holds. */
    @Override
    public float[][] run(List<Encoding> inputs) {
      float[][][] hidden = embedder.hiddenStates(inputs);
      float[][] out = new float[hidden.length][];
      for (int i = 0; i < hidden.length; i++) {
        out[i] = embedder.pooling().pool(hidden[i]);
      }
      return out;
    }

    @Override
    public void close() {
      if (owns) {
        embedder.close();
      }
    }
  }
}
