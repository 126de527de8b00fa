package dev.jbert.spark.example;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;

import dev.jbert.spark.JbertClassifier;
import dev.jbert.spark.ModelSharing;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Labels a file of support tickets with a fine-tuned intent model on Spark: reads CSV (with a header)
 * or Parquet, adds {@code intent} and {@code confidence} columns, writes Parquet.
 *
 * <pre>
 * # from the project root, in local[2]:
 * mvn -q -pl spark -am package -DskipTests -Pexample -Dexample.args="--model runs/banking77 \
 *     --input ../shared/data/banking77/test.csv --output runs/banking77-labelled.parquet"
 * # on a cluster (the model folder at the same path on every executor):
 * spark-submit --class dev.jbert.spark.example.LabelTickets --conf spark.executorEnv.JBERT_THREADS=1 \
 *     spark/target/jbert-spark-VERSION-all.jar --model /shared/models/banking77 --input tickets.parquet --output labelled.parquet
 * </pre>
 */
@Command(name = "LabelTickets", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Add intent and confidence columns to a CSV or Parquet file of tickets and write Parquet.")
public final class LabelTickets implements Callable<Integer> {

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "A fine-tuned intent model folder, readable at this path on every executor.")
  String model;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "Tickets: a .csv file with a header, or Parquet.")
  String input;

  @Option(names = "--text-column", defaultValue = "text", description = "The column with the message. Default: ${DEFAULT-VALUE}.")
  String textColumn;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where to write the labelled Parquet.")
  String output;

  @Option(names = "--overwrite", description = "Replace --output if it exists (otherwise an existing output stops the job).")
  boolean overwrite;

  @Option(names = "--threshold", description = "Below this confidence the intent is the hand-off label (default: the model's saved threshold, if any).")
  Double threshold;

  @Option(names = "--handoff-label", description = "The hand-off answer (default: the model's, else transfer_to_agent).")
  String handOffLabel;

  @Option(names = "--batch-size", defaultValue = "32", description = "Rows per forward pass. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--model-sharing", defaultValue = "per-task",
      description = "per-task (a model copy per running task; set JBERT_THREADS=1) or per-executor. Default: ${DEFAULT-VALUE}.")
  String modelSharing;

  @Option(names = "--partitions", description = "Spread the tickets over this many partitions first (a small file is read as"
      + " one, which keeps all but one core idle); 0 keeps the file's. Default: Spark's default parallelism.")
  Integer partitions;

  @Option(names = "--master", description = "Spark master when not launched by spark-submit. Default: local[2].")
  String master;

  /** Runs the example; {@code --help} lists its options. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new LabelTickets()).execute(args));
  }

  @Override
  public Integer call() {
    SparkSession.Builder builder = SparkSession.builder().appName("jbert-label-tickets");
    if (master != null || !new SparkConf().contains("spark.master")) { // spark-submit sets spark.master
      builder.master(master != null ? master : "local[2]").config("spark.ui.enabled", "false");
    }
    SparkSession spark = builder.getOrCreate();
    try {
      Dataset<Row> tickets = input.toLowerCase(Locale.ROOT).endsWith(".csv")
          ? spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(input)
          : spark.read().parquet(input);
      int spread = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
      if (spread > tickets.rdd().getNumPartitions()) {
        tickets = tickets.repartition(spread); // rows move between partitions; each keeps its own columns
      }
      JbertClassifier classifier = new JbertClassifier().setModelPath(model).setInputCol(textColumn)
          .setPredictionCol("intent").setScoreCol("confidence").setBatchSize(batchSize)
          .setModelSharing(ModelSharing.of(modelSharing));
      if (threshold != null) {
        classifier.setThreshold(threshold);
      }
      if (handOffLabel != null) {
        classifier.setHandOffLabel(handOffLabel);
      }
      long start = System.nanoTime();
      classifier.transform(tickets).write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output);
      double seconds = (System.nanoTime() - start) / 1e9;

      Dataset<Row> labelled = spark.read().parquet(output);
      long rows = labelled.count();
      System.out.printf(Locale.ROOT, "%d tickets labelled in %.1f s (%.0f rows/s), written to %s%n", rows, seconds, rows / seconds, output);
      labelled.groupBy("intent").count().orderBy(desc("count")).show(5, false);
      labelled.select(col(textColumn), col("intent"), col("confidence")).show(5, 60);
      return 0;
    } finally {
      spark.stop();
    }
  }
}
