package dev.jbert.finetune.calibrate;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;

/**
 * What a support lead gets who lets the bot answer alone only when it is sure enough: among the
 * messages whose confidence (top probability) is at least {@code minConfidence}, how many there are
 * ({@code coverage}, the share answered) and how many of those answers are right ({@code accuracy}):
 * one point of the risk-coverage curve of selective classification (Geifman and El-Yaniv, 2017).
 * With calibrated probabilities the accuracy at a level is at least the level: answers given at 0.95
 * or more are right at least 95% of the time, since each is right with its own probability.
 *
 * @param minConfidence the lowest confidence answered
 * @param answered messages whose confidence is at least {@code minConfidence}
 * @param coverage {@code answered} over all messages
 * @param accuracy share of the answered ones that are right (NaN when none is answered)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // metrics.json keys in snake_case like the rest
public record SelectiveAccuracy(double minConfidence, int answered, double coverage, double accuracy) {

  /** The levels {@code metrics.json} and {@code jbert eval} report. */
  public static final double[] LEVELS = {0.5, 0.8, 0.9, 0.95, 0.99};

  /** The coverage and accuracy at each of {@code levels}, in their order. */
  public static List<SelectiveAccuracy> at(double[] confidence, boolean[] correct, double... levels) {
    CalibrationError.checkPaired(confidence, correct);
    List<SelectiveAccuracy> out = new ArrayList<>(levels.length);
    for (double level : levels) {
      int answered = 0;
      int right = 0;
      for (int i = 0; i < confidence.length; i++) {
        if (confidence[i] >= level) {
          answered++;
          right += correct[i] ? 1 : 0;
        }
      }
      out.add(new SelectiveAccuracy(level, answered, (double) answered / confidence.length,
          answered == 0 ? Double.NaN : (double) right / answered));
    }
    return out;
  }
}
