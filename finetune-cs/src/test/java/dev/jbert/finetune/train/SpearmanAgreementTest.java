package dev.jbert.finetune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.eval.Evaluator;
import dev.jbert.finetune.io.Json;
import dev.jbert.finetune.metrics.RegressionMetrics;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.Task;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.math3.stat.correlation.PearsonsCorrelation;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.NaturalRanking;
import org.apache.commons.math3.stat.ranking.TiesStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spearman of {@code metrics.json} (scored after training) and of {@code jbert eval} (a separate
 * {@link Evaluator}, another batch size) on the same data: both equal the reference, Pearson of
 * average ranks (commons-math's {@link NaturalRanking} with {@link TiesStrategy#AVERAGE}, as SciPy).
 * They disagreed (0.9082 against 0.9102 in the issue) when repeated messages got scores that
 * differed in their last bits with the batch they landed in, so that ties were broken.
 */
class SpearmanAgreementTest {

  @TempDir Path tmp;

  private static double reference(double[] gold, double[] predicted) {
    NaturalRanking ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE);
    return new PearsonsCorrelation().correlation(ranks.rank(gold), ranks.rank(predicted));
  }

  @Test
  void rankCorrelationWithTiesOnBothSidesEqualsTheReference() {
    Random random = new Random(3);
    double[] gold = new double[500];
    double[] predicted = new double[500];
    for (int i = 0; i < gold.length; i++) {
      gold[i] = 1 + random.nextInt(5); // stars: 100 ties per value
      predicted[i] = Math.round((gold[i] + random.nextGaussian()) * 2) / 2.0; // half-star steps: ties too
    }
    assertEquals(reference(gold, predicted), RegressionMetrics.compute(gold, predicted).spearman(), 1e-12);
  }

  @Test
  void metricsJsonAndASeparateEvaluationAgreeOnRepeatedMessages() throws Exception {
    // 16 distinct messages of 1 to 6 words, each repeated 6 to 12 times, shuffled: as "thanks" and "ok" repeat in real chats.
    Random random = new Random(7);
    List<String> messages = new ArrayList<>();
    List<Double> meanScores = new ArrayList<>();
    for (int m = 0; m < 16; m++) {
      String intent = SyntheticTickets.INTENTS.get(m % 4);
      String text = SyntheticTickets.message(intent, random);
      for (int extra = m % 3; extra > 0; extra--) {
        text += " " + SyntheticTickets.message(intent, random);
      }
      messages.add(text);
      meanScores.add((double) (1 + m % 5));
    }
    Path source = tmp.resolve("scores.csv");
    List<Example> data = new ArrayList<>();
    for (int m = 0; m < messages.size(); m++) {
      for (int r = 6 + m % 7; r > 0; r--) {
        data.add(Example.scored(messages.get(m), meanScores.get(m) + random.nextInt(3) - 1, source, 0));
      }
    }
    Collections.shuffle(data, random);

    FineTuneConfig config = FineTuneConfig.builder(Task.REGRESSION).lr(1e-2).epochs(2).batchSize(16).validationSplit(0).build();
    Path out = tmp.resolve("out");
    FineTuning.run(SharedModels.tinyBertRegression(), data, List.of(), out, config, TrainingListener.NONE);
    double reported = Json.MAPPER.readTree(out.resolve("metrics.json").toFile()).get("regression").get("spearman").asDouble();

    try (FineTunedModel model = FineTunedModel.load(out)) {
      for (int batchSize : new int[] {5, 7, 32}) {
        Evaluation e = Evaluator.of(model, batchSize).evaluate(data);
        Map<String, Double> scoreOf = new HashMap<>();
        double[] gold = new double[data.size()];
        for (int i = 0; i < data.size(); i++) {
          Double earlier = scoreOf.putIfAbsent(data.get(i).text(), e.scores()[i]);
          if (earlier != null) {
            assertEquals(earlier, e.scores()[i], 0.0, "'" + data.get(i).text() + "' scored the same every time");
          }
          gold[i] = data.get(i).score();
        }
        assertEquals(reference(gold, e.scores()), e.regression().spearman(), 1e-12, "batch size " + batchSize);
        assertEquals(reported, e.regression().spearman(), 1e-12, "metrics.json (batch 16) against batch " + batchSize);
      }
    }
  }
}
