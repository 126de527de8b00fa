package dev.jbert.spark;

import static dev.jbert.spark.ClassifyPartition.borrow;
import static dev.jbert.spark.ClassifyPartition.giveBack;

import dev.jbert.finetune.embed.Pooling;
import dev.jbert.finetune.embed.SentenceEmbedder;
import dev.jbert.tokenizer.Encoding;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** The work of {@link JbertEmbedder} in one partition: embed each batch with a borrowed model copy. */
final class EmbedPartition implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  /**
   * How the embedder is loaded; nulls take the folder's settings.
   *
   * @param batchSize inputs per forward pass
   */
  record LoadSettings(Pooling pooling, Boolean normalize, Integer maxLength, int batchSize) implements Serializable {}

  /** Everything a task needs, and nothing heavy. */
  record Spec(String modelPath, LoadSettings load, ModelSharing sharing, int textIndex) implements Serializable {}

  private final Spec spec;

  EmbedPartition(Spec spec) {
    this.spec = spec;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    if (!rows.hasNext()) {
      return rows;
    }
    ModelFolder folder = ModelFolder.open(spec.modelPath());
    LoadSettings s = spec.load();
    ExecutorModels.Key key = new ExecutorModels.Key("embedder", folder, s, spec.sharing());
    ModelPool<SentenceEmbedder> pool = ExecutorModels.pool(key,
        () -> SentenceEmbedder.load(folder.dir(), s.pooling(), s.normalize(), s.maxLength(), s.batchSize()));
    // tokenizing touches only the immutable tokenizer: rows are encoded before a copy is borrowed
    SentenceEmbedder tokens = borrow(pool);
    giveBack(pool, tokens);
    return new RowBatches<>(rows, s.batchSize(), batch -> embed(pool, tokens, batch));
  }

  private List<Row> embed(ModelPool<SentenceEmbedder> pool, SentenceEmbedder tokens, List<Row> batch) {
    List<Encoding> inputs = new ArrayList<>(batch.size());
    int[] slot = new int[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      String text = ClassifyPartition.text(batch.get(i), spec.textIndex());
      slot[i] = text == null ? -1 : inputs.size();
      if (text != null) {
        inputs.add(tokens.encode(text));
      }
    }
    float[][] vectors = new float[0][];
    if (!inputs.isEmpty()) {
      SentenceEmbedder embedder = borrow(pool);
      try {
        vectors = embedder.embedEncodings(inputs);
      } finally {
        giveBack(pool, embedder);
      }
    }
    List<Row> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Row row = batch.get(i);
      Object[] values = Arrays.copyOf(ClassifyPartition.values(row), row.length() + 1);
      values[row.length()] = slot[i] < 0 ? null : vectors[slot[i]];
      out.add(RowFactory.create(values));
    }
    return out;
  }
}
