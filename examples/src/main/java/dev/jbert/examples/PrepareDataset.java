package dev.jbert.examples;

import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.datasets.Datasets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes one of the shared datasets as {@code train.jsonl}, {@code validation.jsonl} and {@code
 * test.jsonl} (fields {@code text}, {@code pair}, {@code context}, {@code label}), ready for
 * {@code jbert train --train DIR/train.jsonl --eval DIR/validation.jsonl} (add
 * {@code --context-column context} for the dialogue datasets, {@code --task pair} for the pair ones).
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests -Pexample -Dexample.class=dev.jbert.examples.PrepareDataset \
 *     -Dexample.args="--dataset crosswoz-domain --output runs/data/crosswoz-domain"
 * </pre>
 *
 * Datasets: {@link Datasets#NAMES}.
 */
public final class PrepareDataset {

  private PrepareDataset() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = Args.parse(args, List.of("--dataset", "--output", "--seed", "--shared"));
    String name = options.get("--dataset");
    if (name == null) {
      throw new IllegalArgumentException("--dataset is required, one of " + Datasets.NAMES);
    }
    Path shared = Path.of(options.getOrDefault("--shared", "../shared"));
    Path output = Path.of(options.getOrDefault("--output", "runs/data/" + name));
    DatasetSplits splits = Datasets.load(name, shared.resolve("data"), Long.parseLong(options.getOrDefault("--seed", "42")));
    for (Map.Entry<String, Path> e : splits.writeJsonl(output).entrySet()) {
      System.out.println(e.getKey() + ": " + e.getValue());
    }
    System.out.printf("%s: %d train, %d validation, %d test examples%n", name, splits.train().size(),
        splits.validation().size(), splits.test().size());
  }
}
