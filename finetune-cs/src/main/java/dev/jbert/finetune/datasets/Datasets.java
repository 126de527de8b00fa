package dev.jbert.finetune.datasets;

import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.data.ExampleReader;
import dev.jbert.finetune.data.ReadOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * Loaders for the datasets in the shared data folder ({@code /work/shared/data}, or {@code
 * ../shared/data} beside a checkout), each returning its splits as {@link
 * dev.jbert.finetune.data.Example}s.
 *
 * <p>Two ways to train on them with {@code jbert train --train FILE}:
 *
 * <ul>
 *   <li>Files that are already tables train as they are: Banking77 {@code train.csv} with text column
 *       {@code text} and label column {@code category}; ASAP {@code train_sample.csv} with text column
 *       {@code reviewbody} and score column {@code star}.
 *   <li>Everything else (and those too) can be prepared once: {@code load(name, sharedData,
 *       seed).writeJsonl(dir)} writes {@code train.jsonl}, {@code validation.jsonl} and {@code
 *       test.jsonl} in the default layout ({@code text}, {@code pair}, {@code context}, {@code
 *       label}), which reads back with {@link DatasetSplits#readOptions()}.
 * </ul>
 */
public final class Datasets {

  /** Names accepted by {@link #load}. */
  public static final List<String> NAMES = List.of(
      "banking77", "clinc150", "clinc150-inscope", "bitext-pairs", "crosswoz-domain", "crosswoz-reply", "asap-rating");

  private Datasets() {}

  /**
   * A dataset by name ({@link #NAMES}); {@code seed} only matters for the pair datasets (negative
   * draws, with {@link PairSampling#balanced}).
   */
  public static DatasetSplits load(String name, Path sharedData, long seed) {
    return switch (name) {
      case "banking77" -> banking77(sharedData);
      case "clinc150" -> clinc150(sharedData, true);
      case "clinc150-inscope" -> clinc150(sharedData, false);
      case "bitext-pairs" -> bitextPairs(sharedData, PairSampling.balanced(seed));
      case "crosswoz-domain" -> crosswozDomains(sharedData);
      case "crosswoz-reply" -> crosswozReplyPairs(sharedData, PairSampling.balanced(seed));
      case "asap-rating" -> asapRating(sharedData);
      default -> throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + NAMES);
    };
  }

  /**
   * Banking77: 77 intents, {@code train.csv} (10,003) and {@code test.csv} (3,080), columns {@code
   * text,category}. No validation split: hold out part of train.
   */
  public static DatasetSplits banking77(Path sharedData) {
    Path dir = sharedData.resolve("banking77");
    ReadOptions options = ReadOptions.defaults().withLabelColumn("category");
    return new DatasetSplits("banking77",
        ExampleReader.read(dir.resolve("train.csv"), options), List.of(), ExampleReader.read(dir.resolve("test.csv"), options));
  }

  /** CLINC150, with or without the out-of-scope class; see {@link Clinc150#load}. */
  public static DatasetSplits clinc150(Path sharedData, boolean withOutOfScope) {
    return Clinc150.load(sharedData.resolve("clinc150").resolve("data_full.json"), withOutOfScope);
  }

  /** Bitext reply-appropriateness pairs; see {@link BitextPairs}. */
  public static DatasetSplits bitextPairs(Path sharedData, PairSampling sampling) {
    return BitextPairs.load(sharedData.resolve("bitext_customer_support").resolve(BitextPairs.FILE), sampling);
  }

  /** CrossWOZ user-turn domain with dialogue context; see {@link CrossWoz#domains}. */
  public static DatasetSplits crosswozDomains(Path sharedData) {
    return CrossWoz.domains(sharedData.resolve("crosswoz_zh"));
  }

  /** CrossWOZ Chinese reply-appropriateness pairs with context; see {@link CrossWoz#replyPairs}. */
  public static DatasetSplits crosswozReplyPairs(Path sharedData, PairSampling sampling) {
    return CrossWoz.replyPairs(sharedData.resolve("crosswoz_zh"), sampling);
  }

  /**
   * ASAP sample: Chinese restaurant reviews ({@code reviewbody}) with a 1–5 star rating ({@code star})
   * as a regression target; 100 rows each in train, validation (dev) and test.
   */
  public static DatasetSplits asapRating(Path sharedData) {
    Path dir = sharedData.resolve("asap_zh_sample");
    ReadOptions options = ReadOptions.defaults().withTextColumn("reviewbody").withScoreColumn("star");
    return new DatasetSplits("asap-rating",
        ExampleReader.read(dir.resolve("train_sample.csv"), options),
        ExampleReader.read(dir.resolve("dev_sample.csv"), options),
        ExampleReader.read(dir.resolve("test_sample.csv"), options));
  }
}
