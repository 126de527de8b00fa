package dev.jbert.finetune.datasets;

import dev.jbert.finetune.data.CsvTable;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.data.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Reply-appropriateness pairs from the Bitext customer-support file (columns {@code instruction},
 * {@code intent}, {@code category}, {@code response}), built as its {@code SOURCE.md} describes.
 *
 * <ol>
 *   <li>Split by message first: {@link HashSplit} bucket of the {@code instruction} 0 → test, 1 →
 *       validation, 2–9 → train (about 80/10/10; duplicates of a message stay together).
 *   <li>In each split, in file order: (instruction, its own response) → {@value PairSampling#APPROPRIATE};
 *       then {@link PairSampling#negativesPerPositive()} times (instruction, response of a row of a
 *       different intent) → {@value PairSampling#INAPPROPRIATE}, hard negatives drawn from a different
 *       intent of the same category. Negatives come only from the same split. Same-intent replies are
 *       never used as negatives (they are usually still appropriate).
 *   <li>Each split draws from its own {@link Random} seeded from the seed and the split name, so the
 *       pairs are the same for the same seed.
 * </ol>
 *
 * Every example points at the CSV line of its instruction's row.
 */
public final class BitextPairs {

  /** The file name inside {@code bitext_customer_support/}. */
  public static final String FILE = "Bitext_Sample_Customer_Support_Training_Dataset.csv";

  private record Row(long line, String instruction, String intent, String category, String response) {}

  private BitextPairs() {}

  /** Pairs from {@code file} (the Bitext CSV). */
  public static DatasetSplits load(Path file, PairSampling sampling) {
    List<Row> train = new ArrayList<>();
    List<Row> validation = new ArrayList<>();
    List<Row> test = new ArrayList<>();
    for (Row row : rows(file)) {
      switch (HashSplit.bucket(row.instruction())) {
        case 0 -> test.add(row);
        case 1 -> validation.add(row);
        default -> train.add(row);
      }
    }
    return new DatasetSplits("bitext-pairs",
        pairs(file, train, sampling, "train"),
        pairs(file, validation, sampling, "validation"),
        pairs(file, test, sampling, "test"));
  }

  private static List<Row> rows(Path file) {
    CsvTable table = CsvTable.read(file, ',');
    int instruction = table.column("instruction");
    int intent = table.column("intent");
    int category = table.column("category");
    int response = table.column("response");
    List<Row> rows = new ArrayList<>(table.rows().size());
    for (CsvTable.Row r : table.rows()) {
      List<String> v = r.values();
      rows.add(new Row(r.line(),
          required(file, r.line(), "instruction", v.get(instruction)),
          required(file, r.line(), "intent", v.get(intent)),
          required(file, r.line(), "category", v.get(category)),
          required(file, r.line(), "response", v.get(response))));
    }
    return rows;
  }

  private static String required(Path file, long line, String column, String value) {
    String trimmed = value.strip();
    if (trimmed.isEmpty()) {
      throw new DataFileException(file, line, "empty '" + column + "'");
    }
    return trimmed;
  }

  private static List<Example> pairs(Path file, List<Row> rows, PairSampling sampling, String splitName) {
    List<NegativeSampler.Candidate> pool = new ArrayList<>(rows.size());
    for (Row row : rows) {
      pool.add(new NegativeSampler.Candidate(row.intent(), row.category(), row.response()));
    }
    NegativeSampler sampler = new NegativeSampler(pool, sampling, new Random(sampling.seed() ^ splitName.hashCode()));
    List<Example> examples = new ArrayList<>(rows.size() * (1 + sampling.negativesPerPositive()));
    for (Row row : rows) {
      examples.add(pair(file, row, row.response(), PairSampling.APPROPRIATE));
      for (String wrong : sampler.negativesFor(row.intent(), row.category(), row.response())) {
        examples.add(pair(file, row, wrong, PairSampling.INAPPROPRIATE));
      }
    }
    return examples;
  }

  private static Example pair(Path file, Row row, String reply, String label) {
    return new Example(row.instruction(), reply, List.of(), label, null, file, row.line());
  }
}
