package dev.jbert.examples;

import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.datasets.Datasets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
@Command(name = "PrepareDataset", description = "Writes a shared dataset as train/validation/test JSON lines.")
public final class PrepareDataset implements Callable<Integer> {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--dataset", required = true, description = "One of: ${COMPLETION-CANDIDATES}.",
      completionCandidates = DatasetNames.class)
  String name;

  @Option(names = "--output", description = "Output folder (default: runs/data/DATASET).")
  Path output;

  @Option(names = "--seed", defaultValue = "42", description = "Seed of splits and sampled negatives (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--shared", defaultValue = "../shared", description = "Folder with data/ (default: ${DEFAULT-VALUE}).")
  Path shared;

  /** The dataset names, for the help text. */
  static final class DatasetNames implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return Datasets.NAMES.iterator();
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new PrepareDataset()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (output == null) {
      output = Path.of("runs/data/" + name);
    }
    DatasetSplits splits = Datasets.load(name, shared.resolve("data"), seed);
    for (Map.Entry<String, Path> e : splits.writeJsonl(output).entrySet()) {
      System.out.println(e.getKey() + ": " + e.getValue());
    }
    System.out.printf("%s: %d train, %d validation, %d test examples%n", name, splits.train().size(),
        splits.validation().size(), splits.test().size());
    return 0;
  }
}
