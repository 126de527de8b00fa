package dev.jbert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.metrics.MetricsFile;
import dev.jbert.finetune.ood.ConfidenceConfig;
import dev.jbert.finetune.ood.KnnDetector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code jbert train}'s calibration and out-of-scope options, and the lines it prints about them
 * after training (read back from {@code metrics.json}).
 */
final class ConfidenceOptions {

  @Option(names = "--ood-detector", paramLabel = "auto|softmax|energy|mahalanobis|knn",
      description = "Fit every out-of-scope detector (Mahalanobis and kNN on the training set's pooled features), pick "
          + "each one's threshold on the evaluation data for --in-scope-recall, and hand off by this one (auto: the best "
          + "AUROC; needs --oos-label messages in the evaluation data). Saved with the model; jbert predict and serve use it.")
  String detector;

  @Option(names = "--in-scope-recall", paramLabel = "R", defaultValue = "0.95",
      description = "Share of in-scope evaluation messages the detector's threshold keeps. Default: ${DEFAULT-VALUE}.")
  double inScopeRecall;

  @Option(names = "--knn-k", paramLabel = "K", defaultValue = "" + KnnDetector.DEFAULT_K,
      description = "The kNN detector measures the cosine distance to the K-th nearest training message. Default: ${DEFAULT-VALUE}.")
  int knnK;

  @Option(names = "--no-calibration",
      description = "Do not fit a temperature on the evaluation data (probabilities stay softmax(logits)).")
  boolean noCalibration;

  ConfidenceConfig config() {
    return new ConfidenceConfig(!noCalibration, detector, inScopeRecall, knnK);
  }

  /** The temperature and ECE, and one line per detector, from the run's {@code metrics.json}. */
  static void printSummary(Path output, PrintWriter out) throws IOException {
    Path file = output.resolve(MetricsFile.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return;
    }
    JsonNode metrics = Json.MAPPER.readTree(file.toFile());
    JsonNode c = metrics.get("calibration");
    if (c != null) {
      out.println(String.format(Locale.ROOT, "calibration: temperature %.3f (fitted on %s), ECE %.4f -> %.4f",
          c.get("temperature").asDouble(), c.get("fitted_on").asText(), c.get("ece_before_calibration").asDouble(),
          c.get("ece").asDouble()));
      String split = metrics.path("split").asText("evaluation");
      StringBuilder line = new StringBuilder("answered alone at confidence >= level, on the " + split + " messages"
          + (split.equals("train") ? " it learnt (optimistic)" : "") + " (share answered, accuracy):");
      for (JsonNode level : c.get("selective_accuracy")) {
        line.append(String.format(Locale.ROOT, "  %.2f: ", level.get("min_confidence").asDouble()));
        line.append(level.get("answered").asInt() == 0 ? "none" : String.format(Locale.ROOT, "%.1f%%, %.1f%%",
            100 * level.get("coverage").asDouble(), 100 * level.get("accuracy").asDouble()));
      }
      out.println(line);
    }
    JsonNode d = metrics.get("out_of_scope_detection");
    if (d != null) {
      out.println("out-of-scope detectors (in-scope recall target " + d.get("in_scope_recall_target").asDouble() + "):");
      out.println(String.format(Locale.ROOT, "  %-12s %8s %8s %12s %10s %10s %10s", "detector", "AUROC", "FPR95", "threshold",
          "in_recall", "in_acc", "oos_recall"));
      for (JsonNode r : d.get("detectors")) {
        out.println(String.format(Locale.ROOT, "  %-12s %8.4f %8.4f %12.5g %10.4f %10.4f %10.4f", r.get("detector").asText(),
            r.get("auroc").asDouble(), r.get("fpr_at_95_in_scope_recall").asDouble(), r.get("threshold").asDouble(),
            r.get("in_scope_recall").asDouble(), r.get("in_scope_accuracy").asDouble(), r.get("out_of_scope_recall").asDouble()));
      }
      out.println("hand-off by " + d.get("chosen").asText() + " (" + d.get("chosen_by").asText() + ")");
    }
  }
}
